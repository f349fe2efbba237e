import { errors, importJWK, jwtVerify, type JWK, type JWTPayload } from 'jose';
import { UnauthorizedError } from '../../core/errors.js';
import { SIGN_PATH } from '../../core/ca-client/token.js';
import { parseSan, type San } from '../authority/sans.js';
import type { NamePolicy } from './name-policy.js';
import type { Provisioner, SignAuthorization } from './provisioner.js';

/** The public half of a JWK provisioner, as recorded in ca.json. */
export interface JwkProvisionerRecord {
  type: 'JWK';
  name: string;
  /** RFC 7638 thumbprint of the key; tokens name it in their header. */
  kid: string;
  /** Public JWK (EC P-256). */
  key: JWK;
}

export interface TokenCheckOptions {
  /** Host names the token audience may name (the CA's DNS names and IPs). */
  audienceHosts: readonly string[];
  /** Clock skew allowed on `exp` and `nbf`, in ms. */
  leewayMs: number;
}

/**
 * step-ca's JWK provisioner: accepts a one-time JWT signed (ES256) with the provisioner's key, whose
 * `iss` is the provisioner name, `aud` this CA's `/1.0/sign` URL, and `sans` the names it grants.
 * Single use is enforced by the authority through the token ledger.
 */
export class JwkProvisioner implements Provisioner {
  readonly type = 'JWK' as const;
  readonly name: string;
  private keyPromise: ReturnType<typeof importJWK> | undefined;

  constructor(
    private readonly record: JwkProvisionerRecord,
    private readonly options: TokenCheckOptions,
    private readonly policy?: NamePolicy,
  ) {
    this.name = record.name;
  }

  hasKey(kid: string): boolean {
    return kid === this.record.kid;
  }

  async authorizeSign(token: string, audiencePath = SIGN_PATH): Promise<SignAuthorization> {
    const key = await (this.keyPromise ??= importJWK(this.record.key, 'ES256'));
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key, {
        algorithms: ['ES256'],
        issuer: this.name,
        clockTolerance: Math.round(this.options.leewayMs / 1000),
        requiredClaims: ['sub', 'aud', 'jti', 'exp', 'nbf'],
      }));
    } catch (err) {
      throw tokenError(err, this.name);
    }
    this.checkAudience(payload.aud, audiencePath);
    const subject = payload.sub ?? '';
    const jti = payload.jti ?? '';
    if (!subject) throw new UnauthorizedError('PKI_TOKEN_INVALID', 'token has an empty subject (sub)');
    if (!jti) throw new UnauthorizedError('PKI_TOKEN_INVALID', 'token has no id (jti)');
    const allowedSans = sansClaim(payload['sans'], subject);
    return {
      options: { provisioner: this.name, subject, allowedSans, policy: this.policy },
      token: { provisioner: this.name, jti, subject, expiresAt: new Date((payload.exp ?? 0) * 1000) },
    };
  }

  private checkAudience(aud: JWTPayload['aud'], path: string): void {
    const audiences = Array.isArray(aud) ? aud : aud === undefined ? [] : [aud];
    const hosts = new Set(this.options.audienceHosts.map((h) => h.toLowerCase()));
    const ok = audiences.some((a) => {
      let url: URL;
      try {
        url = new URL(a);
      } catch {
        return false;
      }
      const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
      return url.protocol === 'https:' && url.pathname.replace(/\/+$/, '') === path && hosts.has(host);
    });
    if (!ok) {
      throw new UnauthorizedError(
        'PKI_TOKEN_AUDIENCE',
        `token audience ${JSON.stringify(aud ?? null)} is not this CA's endpoint https://<${[...hosts].join('|')}>[:port]${path}`,
      );
    }
  }
}

function sansClaim(value: unknown, subject: string): San[] {
  if (value === undefined) return [parseSan(subject)];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v.length > 0)) {
    throw new UnauthorizedError('PKI_TOKEN_INVALID', 'token claim "sans" must be a list of non-empty strings');
  }
  return (value as string[]).map(parseSan);
}

function tokenError(err: unknown, provisioner: string): UnauthorizedError {
  if (err instanceof errors.JWTExpired) {
    return new UnauthorizedError('PKI_TOKEN_EXPIRED', `token expired (${err.message}); mint a new one`);
  }
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'iss') return new UnauthorizedError('PKI_TOKEN_ISSUER', `token issuer (iss) must be the provisioner "${provisioner}"`);
    if (err.claim === 'nbf') return new UnauthorizedError('PKI_TOKEN_NOT_YET_VALID', 'token is not valid yet (nbf is in the future)');
    return new UnauthorizedError('PKI_TOKEN_INVALID', `token claim "${err.claim}" is invalid: ${err.message}`);
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) {
    return new UnauthorizedError('PKI_TOKEN_SIGNATURE', 'token signature does not verify with the provisioner key');
  }
  if (err instanceof errors.JOSEAlgNotAllowed) return new UnauthorizedError('PKI_TOKEN_INVALID', 'token must be signed with ES256');
  return new UnauthorizedError('PKI_TOKEN_INVALID', `token is malformed: ${(err as Error).message}`);
}
