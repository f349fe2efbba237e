import type { Dispatcher } from 'undici';
import type { Logger } from 'pino';
import { Backend } from './backend.js';
import type { ServerSpec } from './model.js';

/**
 * Keeps one Backend (pool + health) per url+identity across snapshots. Backends no snapshot uses
 * any more are drained (in-flight requests finish) and then closed.
 */
export class BackendPool {
  private readonly backends = new Map<string, Backend>();

  constructor(
    private readonly createDispatcher: (server: ServerSpec) => Dispatcher,
    private readonly logger: Logger,
    private readonly drainTimeoutMs = 30_000,
  ) {}

  acquire(server: ServerSpec, checked: boolean): Backend {
    const key = Backend.key(server.url, server.identity);
    let backend = this.backends.get(key);
    if (!backend) {
      backend = new Backend(server.url, server.identity, this.createDispatcher(server), this.logger, checked);
      this.backends.set(key, backend);
    }
    return backend;
  }

  /** Drops every backend whose key is not in `keep`. */
  retain(keep: ReadonlySet<string>): void {
    for (const [key, backend] of this.backends) {
      if (keep.has(key)) continue;
      this.backends.delete(key);
      void this.drain(backend);
    }
  }

  all(): Backend[] {
    return [...this.backends.values()];
  }

  private async drain(backend: Backend): Promise<void> {
    const deadline = Date.now() + this.drainTimeoutMs;
    while (backend.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    this.logger.info({ backend: backend.url }, 'backend removed');
    await backend.close();
  }

  async close(): Promise<void> {
    await Promise.all([...this.backends.values()].map((b) => b.close()));
    this.backends.clear();
  }
}
