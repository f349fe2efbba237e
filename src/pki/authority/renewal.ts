import type { X509Certificate } from 'node:crypto';
import { UnauthorizedError } from '../../core/errors.js';
import type { CertificateRecords, IssuedCertificate } from '../store/certificates.js';
import type { RevocationRecords } from '../store/revocations.js';

/**
 * Whether a presented certificate may be renewed: issued by our intermediate (signature checked),
 * valid right now (renewal after expiry is refused unless allowed: the holder needs a new one-time
 * token), known in the store, and not revoked. Returns its record.
 */
export function checkRenewable(
  leaf: X509Certificate,
  ctx: { intermediate: X509Certificate; certificates: CertificateRecords; revocations?: RevocationRecords; now: Date; allowAfterExpiry?: boolean },
): IssuedCertificate {
  if (!leaf.checkIssued(ctx.intermediate) || !leaf.verify(ctx.intermediate.publicKey)) {
    throw new UnauthorizedError('PKI_RENEW_UNTRUSTED', 'the presented certificate was not issued by this CA');
  }
  const notBefore = new Date(leaf.validFrom);
  const notAfter = new Date(leaf.validTo);
  if (ctx.now.getTime() >= notAfter.getTime() && !ctx.allowAfterExpiry) {
    throw new UnauthorizedError(
      'PKI_RENEW_EXPIRED',
      `the presented certificate (serial ${leaf.serialNumber}) expired at ${notAfter.toISOString()}; an expired certificate cannot be renewed, request a new one with a one-time token`,
    );
  }
  if (ctx.now.getTime() < notBefore.getTime()) {
    throw new UnauthorizedError('PKI_RENEW_NOT_YET_VALID', `the presented certificate is not valid before ${notBefore.toISOString()}`);
  }
  const record = ctx.certificates.find(leaf.serialNumber);
  if (!record) {
    throw new UnauthorizedError('PKI_RENEW_UNKNOWN', `the presented certificate (serial ${leaf.serialNumber}) is not in this CA's records`);
  }
  const revoked = ctx.revocations?.find(leaf.serialNumber);
  if (revoked) {
    throw new UnauthorizedError('PKI_RENEW_REVOKED', `the presented certificate (serial ${leaf.serialNumber}) was revoked at ${revoked.revokedAt.toISOString()}; a revoked certificate cannot be renewed`);
  }
  return record;
}
