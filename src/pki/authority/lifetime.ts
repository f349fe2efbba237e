import { UnavailableError } from '../../core/errors.js';
import type { LifetimePolicy } from '../config.js';

export interface Validity {
  notBefore: Date;
  notAfter: Date;
  /** The lifetime granted (requested, clamped to the bounds); renewals grant it again. */
  lifetimeMs: number;
}

/** Most a leaf is backdated (clock skew between hosts); never more than 10 % of its lifetime. */
export const MAX_BACKDATE_MS = 5_000;

/**
 * A leaf's validity window: the requested lifetime (or the default) clamped to [min, max], starting
 * now, backdated by a few seconds but at most 10 % of the lifetime, and ending no later than the
 * issuing certificate. X.509 times have whole seconds: notBefore is rounded down and notAfter up, so
 * a certificate never lives shorter than granted (renewal after renewal would otherwise shrink).
 */
export function leafValidity(policy: LifetimePolicy, options: { requestedMs?: number | undefined; now: number; issuerNotAfter: Date }): Validity {
  const wanted = options.requestedMs ?? policy.default;
  const lifetime = Math.min(policy.max, Math.max(policy.min, wanted));
  const backdate = Math.min(MAX_BACKDATE_MS, Math.floor(lifetime / 10));
  const notAfter = Math.min(Math.ceil((options.now + lifetime) / 1000) * 1000, options.issuerNotAfter.getTime());
  if (notAfter <= options.now) {
    throw new UnavailableError('PKI_INTERMEDIATE_EXPIRED', `the intermediate CA certificate expired at ${options.issuerNotAfter.toISOString()}; the CA cannot issue`);
  }
  return { notBefore: new Date(Math.floor((options.now - backdate) / 1000) * 1000), notAfter: new Date(notAfter), lifetimeMs: lifetime };
}
