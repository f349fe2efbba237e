import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SignJWT, importJWK, type JWK } from 'jose';

/**
 * One-time provisioning tokens, the step-ca JWK-provisioner way: a JWT signed with a provisioner's
 * private key, naming the subject and the SANs the holder may request, valid for minutes and
 * accepted once (the CA records its `jti`).
 */
export interface ProvisionerKey {
  /** Provisioner name; the token's `iss`. */
  name: string;
  /** Key id (JWK thumbprint); the token header's `kid`. */
  kid: string;
  /** Private JWK (ES256, P-256). */
  key: JWK;
}

export interface TokenClaims {
  iss: string;
  sub: string;
  aud: string;
  sans: string[];
  jti: string;
  iat: number;
  nbf: number;
  exp: number;
}

export interface MintTokenOptions {
  /** Subject, normally the SPIFFE URI or DNS name the certificate is for. */
  subject: string;
  /** Every SAN the certificate may carry (DNS names, IPs, URIs). */
  sans: readonly string[];
  /** CA base URL, e.g. `https://localhost:9000`; the audience is `<caUrl>/1.0/sign`. */
  caUrl: string;
  /** Validity in seconds; default 300 (5 minutes). */
  ttlSeconds?: number;
}

export const SIGN_PATH = '/1.0/sign';
export const DEFAULT_TOKEN_TTL_SECONDS = 300;

export async function mintToken(provisioner: ProvisionerKey, options: MintTokenOptions): Promise<string> {
  const key = await importJWK(provisioner.key, 'ES256');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sans: [...options.sans] })
    .setProtectedHeader({ alg: 'ES256', kid: provisioner.kid, typ: 'JWT' })
    .setIssuer(provisioner.name)
    .setSubject(options.subject)
    .setAudience(`${options.caUrl.replace(/\/+$/, '')}${SIGN_PATH}`)
    .setJti(randomUUID())
    .setIssuedAt(now)
    .setNotBefore(now - 30)
    .setExpirationTime(now + (options.ttlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS))
    .sign(key);
}

/** Reads a provisioner key file written by `phoenix ca init` (JSON: `{name, kid, key}`). */
export function loadProvisionerKey(file: string): ProvisionerKey {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<ProvisionerKey>;
  if (typeof parsed.name !== 'string' || typeof parsed.kid !== 'string' || typeof parsed.key !== 'object' || !parsed.key) {
    throw new Error(`${file} is not a provisioner key file (expected JSON with name, kid and key)`);
  }
  return { name: parsed.name, kid: parsed.kid, key: parsed.key };
}
