import { randomBytes } from 'node:crypto';

/**
 * Anti-replay nonces (RFC 8555 §6.5): every ACME response carries a fresh one; a signed request
 * must carry one that was issued here, unused and younger than `ttlMs`. Each is accepted once.
 * Kept in memory: after a CA restart clients get `badNonce` with a fresh nonce and retry.
 */
export class NonceStore {
  private readonly issued = new Map<string, number>();

  constructor(
    private readonly ttlMs = 3_600_000,
    private readonly max = 100_000,
  ) {}

  issue(now = Date.now()): string {
    if (this.issued.size >= this.max) this.prune(now);
    const nonce = randomBytes(16).toString('base64url');
    this.issued.set(nonce, now + this.ttlMs);
    return nonce;
  }

  /** True exactly once for a nonce issued here that has not expired. */
  consume(nonce: string, now = Date.now()): boolean {
    const expires = this.issued.get(nonce);
    if (expires === undefined) return false;
    this.issued.delete(nonce);
    return expires > now;
  }

  private prune(now: number): void {
    for (const [nonce, expires] of this.issued) if (expires <= now) this.issued.delete(nonce);
    // Still full of live nonces: drop the oldest (Map keeps insertion order).
    for (const nonce of this.issued.keys()) {
      if (this.issued.size < this.max) break;
      this.issued.delete(nonce);
    }
  }
}
