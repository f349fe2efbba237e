import type { Logger } from '../../core/log.js';
import { errorMessage } from '../../core/errors.js';

/**
 * Runs `sync` every interval, and again right away when poked (an instance changed state).
 * Runs never overlap; a poke during a run causes one more run right after it. Failures are logged
 * once when they start and once when they end, and the loop goes on.
 */
export class SyncLoop {
  private wake: (() => void) | undefined;
  private pending = false;
  private failing = false;

  constructor(
    private readonly intervalMs: number,
    private readonly sync: (signal: AbortSignal) => Promise<void>,
    private readonly logger: Logger,
  ) {}

  poke(): void {
    this.pending = true;
    this.wake?.();
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      this.pending = false;
      try {
        await this.sync(signal);
        if (this.failing) this.logger.info('hub reachable again; sync resumed');
        this.failing = false;
      } catch (err) {
        if (signal.aborted) break;
        if (!this.failing) this.logger.warn({ err: errorMessage(err) }, 'sync with the hub failed; replicas keep running, retrying');
        else this.logger.debug({ err: errorMessage(err) }, 'sync with the hub failed again');
        this.failing = true;
      }
      if (this.pending || signal.aborted) continue;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          this.wake = undefined;
          resolve();
        };
        const timer = setTimeout(done, this.intervalMs);
        this.wake = done;
        signal.addEventListener('abort', done, { once: true });
      });
    }
  }
}
