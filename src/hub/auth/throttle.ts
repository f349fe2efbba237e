/**
 * Login throttling per client address. Every attempt counts as a failure until it succeeds, so
 * parallel guesses are counted before their (slow) password checks finish. After `maxFailures`
 * the client is locked out for `lockoutMs`, doubling with each further failure up to `maxLockoutMs`.
 */
export interface ThrottlePolicy {
  maxFailures: number;
  lockoutMs: number;
  maxLockoutMs: number;
}

interface Entry {
  failures: number;
  lockedUntil: number;
  lastAttemptAt: number;
}

const MAX_ENTRIES = 10_000;

export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly policy: ThrottlePolicy) {}

  /** Milliseconds the client must wait before trying again; 0 when it may try now. */
  retryAfterMs(key: string, now = Date.now()): number {
    const e = this.entries.get(key);
    return e ? Math.max(0, e.lockedUntil - now) : 0;
  }

  /**
   * Registers an attempt; returns the wait in ms when the client is locked out (the attempt is then
   * refused and not counted), else 0.
   */
  attempt(key: string, now = Date.now()): number {
    const wait = this.retryAfterMs(key, now);
    if (wait > 0) return wait;
    this.prune(now);
    const e = this.entries.get(key) ?? { failures: 0, lockedUntil: 0, lastAttemptAt: now };
    e.failures++;
    e.lastAttemptAt = now;
    if (e.failures >= this.policy.maxFailures) {
      const doublings = Math.min(30, e.failures - this.policy.maxFailures);
      e.lockedUntil = now + Math.min(this.policy.maxLockoutMs, this.policy.lockoutMs * 2 ** doublings);
    }
    this.entries.set(key, e);
    return 0;
  }

  /** The attempt succeeded: the client's failures are forgotten. */
  succeeded(key: string): void {
    this.entries.delete(key);
  }

  private prune(now: number): void {
    if (this.entries.size < MAX_ENTRIES) return;
    for (const [key, e] of this.entries) {
      if (e.lockedUntil <= now && now - e.lastAttemptAt > this.policy.maxLockoutMs) this.entries.delete(key);
    }
  }
}
