import { createPublicKey, X509Certificate } from 'node:crypto';
import { decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { UnauthorizedError } from '../../core/errors.js';
import type { TokenLedger } from '../store/tokens.js';

export const RENEW_PATH = '/1.0/renew';

/**
 * step-ca's renewal token, for callers behind a TLS-terminating proxy (no client certificate
 * reaches the CA): a short JWT in `Authorization: Bearer …` whose `x5c` header carries the current
 * certificate and which is signed by that certificate's key, audience `https://<ca>/1.0/renew`,
 * used once. Returns the certificate (PEM); the authority then checks it as for mTLS renewal.
 */
export async function certificateFromRenewToken(token: string, options: { audienceHosts: readonly string[]; tokens: TokenLedger; leewaySeconds: number }): Promise<string> {
  let x5c: string[] | undefined;
  try {
    x5c = decodeProtectedHeader(token).x5c;
  } catch {
    throw new UnauthorizedError('PKI_RENEW_TOKEN_INVALID', 'the renewal token is not a JWT');
  }
  const first = x5c?.[0];
  if (!first) throw new UnauthorizedError('PKI_RENEW_TOKEN_INVALID', 'the renewal token has no x5c header with the current certificate');
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(Buffer.from(first, 'base64'));
  } catch {
    throw new UnauthorizedError('PKI_RENEW_TOKEN_INVALID', 'the x5c certificate of the renewal token cannot be read');
  }
  const audiences = options.audienceHosts.flatMap((h) => [`https://${h}${RENEW_PATH}`]);
  let payload;
  try {
    ({ payload } = await jwtVerify(token, createPublicKey(cert.publicKey.export({ format: 'pem', type: 'spki' })), {
      clockTolerance: options.leewaySeconds,
      requiredClaims: ['exp', 'jti', 'aud'],
      maxTokenAge: '10m',
    }));
  } catch (err) {
    if (err instanceof errors.JWTExpired) throw new UnauthorizedError('PKI_RENEW_TOKEN_EXPIRED', 'the renewal token expired');
    throw new UnauthorizedError('PKI_RENEW_TOKEN_INVALID', `the renewal token does not verify with the key of its certificate: ${(err as Error).message}`);
  }
  const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud ?? ''];
  const audOk = aud.some((a) => {
    try {
      const u = new URL(a);
      return u.protocol === 'https:' && u.pathname === RENEW_PATH && audiences.some((x) => new URL(x).hostname === u.hostname);
    } catch {
      return false;
    }
  });
  if (!audOk) throw new UnauthorizedError('PKI_RENEW_TOKEN_AUDIENCE', `the renewal token audience must be this CA's ${RENEW_PATH}`);
  if (!options.tokens.use({ provisioner: 'renew', jti: String(payload.jti), subject: cert.serialNumber, expiresAt: new Date((payload.exp ?? 0) * 1000) })) {
    throw new UnauthorizedError('PKI_TOKEN_REUSED', 'the renewal token was already used');
  }
  return cert.toString();
}
