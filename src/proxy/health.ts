import type { Logger } from 'pino';
import { every } from '../core/lifecycle.js';
import { errorMessage } from '../core/errors.js';
import type { Backend } from './backend.js';
import type { HealthCheckSpec } from './model.js';

/**
 * Active health checks: one loop per checked backend, `GET <path>` every interval with a timeout;
 * 2xx marks it up, anything else (status, timeout, TLS or connection error) marks it down.
 * `sync` starts loops for new backends and stops loops for removed ones.
 */
export class HealthChecker {
  private readonly loops = new Map<string, AbortController>();

  constructor(
    private readonly logger: Logger,
    private readonly parent: AbortSignal,
  ) {}

  sync(checked: Array<{ backend: Backend; spec: HealthCheckSpec }>): void {
    const wanted = new Map(checked.map((c) => [c.backend.key, c]));
    for (const [key, ac] of this.loops) {
      if (!wanted.has(key)) {
        ac.abort();
        this.loops.delete(key);
      }
    }
    for (const [key, { backend, spec }] of wanted) {
      if (this.loops.has(key)) continue;
      const ac = new AbortController();
      this.parent.addEventListener('abort', () => ac.abort(), { once: true });
      this.loops.set(key, ac);
      void every(spec.intervalMs, ac.signal, () => checkOnce(backend, spec), (err) => this.logger.debug({ err: errorMessage(err) }, 'health check loop error'));
    }
  }

  close(): void {
    for (const ac of this.loops.values()) ac.abort();
    this.loops.clear();
  }
}

export async function checkOnce(backend: Backend, spec: HealthCheckSpec): Promise<void> {
  try {
    const res = await backend.dispatcher.request({
      origin: backend.origin,
      path: spec.path,
      method: 'GET',
      headersTimeout: spec.timeoutMs,
      bodyTimeout: spec.timeoutMs,
      signal: AbortSignal.timeout(spec.timeoutMs),
    });
    await res.body.dump();
    if (res.statusCode >= 200 && res.statusCode < 300) backend.markUp();
    else backend.markDown(`health check ${spec.path} answered ${res.statusCode}`);
  } catch (err) {
    backend.markDown(`health check ${spec.path} failed: ${errorMessage(err)}`);
  }
}
