import type { Logger } from 'pino';
import type { CircuitBreakerSpec } from './dynamic-config.js';
import { WindowCounter } from './window-counter.js';

export type CircuitState = 'closed' | 'open' | 'half-open';

/**
 * A service's circuit breaker. Closed: everything passes and outcomes are counted. When at least
 * `minRequests` were seen in the window and `failureRatio` of them failed, it opens: requests are
 * answered 503 at once for `openFor`, sparing a failing service and its callers. Then one probe
 * request passes (half-open): success closes the circuit, failure opens it again.
 */
export class CircuitBreaker {
  private _state: CircuitState = 'closed';
  private openUntil = 0;
  private probing = false;
  private readonly requests: WindowCounter;
  private readonly failures: WindowCounter;

  constructor(
    private readonly spec: CircuitBreakerSpec,
    private readonly service: string,
    private readonly logger: Logger,
  ) {
    this.requests = new WindowCounter(spec.window);
    this.failures = new WindowCounter(spec.window);
  }

  get state(): CircuitState {
    return this._state;
  }

  /** May a request go to the service now? A `true` in half-open state makes it the probe. */
  allow(now = Date.now()): boolean {
    switch (this._state) {
      case 'closed':
        return true;
      case 'open':
        if (now < this.openUntil) return false;
        this._state = 'half-open';
        this.probing = true;
        return true;
      case 'half-open':
        if (this.probing) return false;
        this.probing = true;
        return true;
      default: {
        const never: never = this._state;
        return never;
      }
    }
  }

  record(ok: boolean, now = Date.now()): void {
    if (this._state === 'half-open') {
      this.probing = false;
      if (ok) {
        this._state = 'closed';
        this.requests.reset();
        this.failures.reset();
        this.logger.info({ service: this.service }, 'circuit closed');
      } else {
        this.open(now);
      }
      return;
    }
    if (this._state !== 'closed') return;
    this.requests.add(1, now);
    if (ok) return;
    this.failures.add(1, now);
    const total = this.requests.sum(now);
    if (total >= this.spec.minRequests && this.failures.sum(now) / total >= this.spec.failureRatio) this.open(now);
  }

  private open(now: number): void {
    this._state = 'open';
    this.openUntil = now + this.spec.openFor;
    this.logger.warn({ service: this.service, openForMs: this.spec.openFor }, 'circuit open: the service fails too often; answering 503 for a while');
  }
}
