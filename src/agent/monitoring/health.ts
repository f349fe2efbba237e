import type { HealthStatus } from '../report/hub-client.js';

export interface HealthPolicy {
  retries: number;
  startPeriodMs: number;
}

/**
 * An instance's health from its periodic checks: `starting` until the first success (failures in
 * the start period do not count), `healthy` after a success, `unhealthy` after `retries`
 * consecutive failures.
 */
export class HealthTracker {
  status: HealthStatus = 'starting';
  detail = 'not checked yet';
  checkedAt: number | undefined;
  private failures = 0;
  private startedAt = Date.now();

  constructor(private readonly policy: HealthPolicy) {}

  /** The instance (re)started: back to `starting`. */
  reset(now = Date.now()): void {
    this.status = 'starting';
    this.detail = 'starting';
    this.failures = 0;
    this.startedAt = now;
    this.checkedAt = undefined;
  }

  /** Records a check; returns true when the status changed. */
  record(ok: boolean, detail: string, now = Date.now()): boolean {
    const before = this.status;
    this.checkedAt = now;
    this.detail = detail;
    if (ok) {
      this.failures = 0;
      this.status = 'healthy';
    } else {
      this.failures++;
      const inStartPeriod = this.status === 'starting' && now - this.startedAt < this.policy.startPeriodMs;
      if (!inStartPeriod && (this.failures >= this.policy.retries || this.status === 'unhealthy')) this.status = 'unhealthy';
    }
    return before !== this.status;
  }

  report(): { status: HealthStatus; detail: string; checkedAt?: string } {
    return { status: this.status, detail: this.detail, ...(this.checkedAt !== undefined ? { checkedAt: new Date(this.checkedAt).toISOString() } : {}) };
  }
}
