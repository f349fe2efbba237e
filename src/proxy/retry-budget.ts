import type { RetrySpec } from './dynamic-config.js';
import { WindowCounter } from './window-counter.js';

const WINDOW_MS = 10_000;

/**
 * Retries allowed for a service: `budgetRatio` of the requests of the last 10 s plus `minPerSecond`.
 * A healthy service retries the odd broken connection freely; an outage cannot turn every request
 * into `attempts` requests.
 */
export class RetryBudget {
  private readonly requests = new WindowCounter(WINDOW_MS);
  private readonly retries = new WindowCounter(WINDOW_MS);

  constructor(private readonly spec: RetrySpec) {}

  onRequest(now = Date.now()): void {
    this.requests.add(1, now);
  }

  /** Takes one retry from the budget if there is one left. */
  tryRetry(now = Date.now()): boolean {
    const allowed = this.spec.minPerSecond * (WINDOW_MS / 1000) + this.spec.budgetRatio * this.requests.sum(now);
    if (this.retries.sum(now) >= allowed) return false;
    this.retries.add(1, now);
    return true;
  }
}
