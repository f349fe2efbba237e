import type { Logger } from 'pino';
import { every } from '../core/lifecycle.js';
import { errorMessage } from '../core/errors.js';
import type { Backend } from './backend.js';
import type { HealthCheckSpec } from './dynamic-config.js';

/**
 * Active health checks: one loop per checked backend, `GET <path>` every interval with a timeout;
 * the expected status (any 2xx by default) marks it up, anything else (status, timeout, TLS or
 * connection error) marks it down. `sync` starts loops for new backends and stops loops for
 * removed ones; a backend's first check runs at once, so a new backend takes traffic as soon as it
 * answers.
 */
export class HealthChecker {
  private readonly loops = new Map<string, { ac: AbortController; backend: Backend }>();

  constructor(
    private readonly logger: Logger,
    private readonly parent: AbortSignal,
  ) {}

  sync(checked: Array<{ backend: Backend; spec: HealthCheckSpec }>): void {
    const wanted = new Map<string, { backend: Backend; spec: HealthCheckSpec }>();
    for (const c of checked) {
      const key = `${c.backend.key}|${JSON.stringify(c.spec)}`;
      if (![...wanted.values()].some((w) => w.backend === c.backend)) wanted.set(key, c);
    }
    for (const [key, loop] of this.loops) {
      if (wanted.has(key)) continue;
      loop.ac.abort();
      this.loops.delete(key);
      if (![...wanted.values()].some((w) => w.backend === loop.backend)) loop.backend.checked = false;
    }
    for (const [key, { backend, spec }] of wanted) {
      if (this.loops.has(key)) continue;
      const ac = new AbortController();
      this.parent.addEventListener('abort', () => ac.abort(), { once: true });
      this.loops.set(key, { ac, backend });
      backend.checked = true;
      void every(spec.interval, ac.signal, () => checkOnce(backend, spec), (err) => this.logger.debug({ err: errorMessage(err) }, 'health check loop error'));
    }
  }

  close(): void {
    for (const loop of this.loops.values()) loop.ac.abort();
    this.loops.clear();
  }
}

export async function checkOnce(backend: Backend, spec: HealthCheckSpec): Promise<void> {
  try {
    const status = await backend.pool.request(spec.path, spec.timeout);
    const ok = spec.expectedStatus === undefined ? status >= 200 && status < 300 : status === spec.expectedStatus;
    if (ok) backend.markUp();
    else backend.markDown(`health check ${spec.path} answered ${status}`);
  } catch (err) {
    backend.markDown(`health check ${spec.path} failed: ${errorMessage(err)}`);
  }
}
