import type { Logger } from 'pino';
import { Backend } from './backend.js';
import { serverTrustLabel, type ServerSpec } from './dynamic-config.js';
import type { UpstreamPool } from './upstream/pool.js';

/**
 * Keeps one Backend (pool + health) per url+identity across snapshots. Backends no snapshot uses
 * any more are drained (in-flight requests finish, up to the drain timeout) and then closed.
 */
export class BackendPool {
  private readonly backends = new Map<string, Backend>();
  private readonly draining = new Set<Backend>();
  private readonly drainTimeouts = new WeakMap<Backend, number>();

  constructor(
    private readonly createPool: (server: ServerSpec) => UpstreamPool,
    private readonly logger: Logger,
  ) {}

  acquire(server: ServerSpec, drainTimeoutMs: number): Backend {
    const trust = serverTrustLabel(server);
    const key = Backend.key(server.url, trust);
    let backend = this.backends.get(key);
    if (!backend) {
      const pool = this.createPool(server);
      backend = new Backend(server.url, trust, pool, this.logger);
      // A server whose trust roots cannot be used (an unparseable CA bundle) is down for good,
      // with the reason; the rest of its service serves.
      if (pool.unusable !== undefined) backend.markDown(pool.unusable);
      this.backends.set(key, backend);
    }
    this.drainTimeouts.set(backend, drainTimeoutMs);
    return backend;
  }

  /** Drains every backend whose key is not in `keep`. */
  retain(keep: ReadonlySet<string>): void {
    for (const [key, backend] of this.backends) {
      if (keep.has(key)) continue;
      this.backends.delete(key);
      void this.drain(backend, this.drainTimeouts.get(backend) ?? 30_000);
    }
  }

  all(): Backend[] {
    return [...this.backends.values()];
  }

  /** Backends removed from the configuration that still finish requests. */
  drainingCount(): number {
    return this.draining.size;
  }

  private async drain(backend: Backend, timeoutMs: number): Promise<void> {
    this.draining.add(backend);
    const deadline = Date.now() + timeoutMs;
    while (backend.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    this.draining.delete(backend);
    this.logger.info({ backend: backend.url, unfinished: backend.inFlight }, 'backend removed');
    await backend.close();
  }

  async close(): Promise<void> {
    await Promise.all([...this.backends.values(), ...this.draining].map((b) => b.close()));
    this.backends.clear();
    this.draining.clear();
  }
}
