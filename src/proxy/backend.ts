import type { Logger } from 'pino';
import type { PassiveHealthSpec } from './dynamic-config.js';
import type { UpstreamPool } from './upstream/pool.js';

/**
 * One upstream server: its address, the identity it must present, a keep-alive connection pool
 * (mTLS with identity checks), and its health — from active checks (`up`/`down`) and from
 * passive observation (ejected after consecutive failures, re-admitted after a pause). Backends
 * outlive snapshots: a new snapshot naming the same url+identity reuses the same Backend, so pools,
 * health and in-flight counts carry over.
 */
export type ActiveHealth = 'unknown' | 'up' | 'down';

export class Backend {
  readonly origin: string;
  private _health: ActiveHealth = 'unknown';
  private _reason = '';
  private failures = 0;
  private ejectedUntil = 0;
  private ejections = 0;
  /** Requests sent and not yet answered in full (the p2c balancer's load measure). */
  inFlight = 0;
  /** Whether an active health check watches this backend (set by the health checker). */
  checked = false;

  constructor(
    readonly url: string,
    readonly identity: string,
    readonly pool: UpstreamPool,
    private readonly logger: Logger,
  ) {
    this.origin = new URL(url).origin;
  }

  get key(): string {
    return Backend.key(this.url, this.identity);
  }

  static key(url: string, identity: string): string {
    return `${url}|${identity}`;
  }

  get health(): ActiveHealth {
    return this._health;
  }

  get reason(): string {
    return this._reason;
  }

  get ejected(): boolean {
    return this.ejectedUntil > Date.now();
  }

  /** `up`, `down`, `ejected` or `unknown`, for status views and metrics. */
  get state(): 'up' | 'down' | 'ejected' | 'unknown' {
    if (this.ejected) return 'ejected';
    if (!this.checked) return this._health === 'down' ? 'down' : 'up';
    return this._health;
  }

  /** May take traffic now. */
  get available(): boolean {
    if (this.ejectedUntil !== 0 && this.ejectedUntil > Date.now()) return false;
    return this.checked ? this._health === 'up' : this._health !== 'down';
  }

  /** Active check result. */
  markUp(): void {
    if (this._health === 'up') return;
    if (this._health === 'down') this.logger.info({ backend: this.url, identity: this.identity }, 'backend is up');
    this._health = 'up';
    this._reason = '';
  }

  /** Active check failure, or a connection that could not be made at all. */
  markDown(reason: string): void {
    if (this._health !== 'down') this.logger.warn({ backend: this.url, identity: this.identity, reason }, 'backend is down');
    this._health = 'down';
    this._reason = reason;
  }

  /** Passive health: a forward that worked. */
  recordSuccess(): void {
    this.failures = 0;
    if (this.ejections !== 0 && !this.ejected) this.ejections = 0;
    if (!this.checked && this._health === 'down') this.markUp();
  }

  /** Passive health: a forward that failed (connection, timeout or 502/503/504). */
  recordFailure(spec: PassiveHealthSpec, reason: string): void {
    this.failures++;
    this._reason = reason;
    if (this.failures < spec.maxFailures || this.ejected) return;
    this.ejections++;
    this.failures = 0;
    // Each ejection in a row lasts longer, up to 4 × ejectFor.
    const forMs = spec.ejectFor * Math.min(this.ejections, 4);
    this.ejectedUntil = Date.now() + forMs;
    this.logger.warn({ backend: this.url, identity: this.identity, reason, ejectedForMs: forMs }, 'backend ejected after consecutive failures');
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
