import type { Dispatcher } from 'undici';
import type { Logger } from 'pino';

/**
 * One upstream server: its address, the identity it must present, a keep-alive connection pool
 * (an undici dispatcher doing mTLS), and its health as seen by active checks and by failed forwards.
 * Backends outlive snapshots: a new snapshot naming the same url+identity reuses the same Backend,
 * so pools and health carry over.
 */
export type BackendHealth = 'unknown' | 'up' | 'down';

export class Backend {
  readonly origin: string;
  private _health: BackendHealth;
  private _reason = '';
  private downSince = 0;
  inFlight = 0;

  constructor(
    readonly url: string,
    readonly identity: string,
    readonly dispatcher: Dispatcher,
    private readonly logger: Logger,
    /** Without active health checks a backend is assumed up until a forward fails. */
    private readonly checked: boolean,
    /** Unchecked backends marked down by a failed forward get traffic again after this long. */
    private readonly readmitAfterMs = 1000,
  ) {
    this.origin = new URL(url).origin;
    this._health = checked ? 'unknown' : 'up';
  }

  get key(): string {
    return Backend.key(this.url, this.identity);
  }

  static key(url: string, identity: string): string {
    return `${url}|${identity}`;
  }

  get health(): BackendHealth {
    return this._health;
  }

  get reason(): string {
    return this._reason;
  }

  get available(): boolean {
    if (this._health === 'up') return true;
    // Passive health only: after a pause, let traffic probe the backend again.
    return !this.checked && this._health === 'down' && Date.now() - this.downSince >= this.readmitAfterMs;
  }

  markUp(): void {
    if (this._health === 'up') return;
    this.logger.info({ backend: this.url, identity: this.identity }, 'backend is up');
    this._health = 'up';
    this._reason = '';
  }

  markDown(reason: string): void {
    if (this._health !== 'down') this.logger.warn({ backend: this.url, identity: this.identity, reason }, 'backend is down');
    this._health = 'down';
    this._reason = reason;
    this.downSince = Date.now();
  }

  async close(): Promise<void> {
    await this.dispatcher.close().catch(() => undefined);
  }
}
