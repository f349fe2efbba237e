import { calculateJwkThumbprint, flattenedVerify, importJWK, type JWK } from 'jose';
import { AcmeError } from './problem.js';

/** Account key algorithms accepted (RFC 8555 §6.2 requires ES256 and EdDSA support; RS256 is common). */
export const ACCOUNT_KEY_ALGS = ['ES256', 'ES384', 'RS256', 'EdDSA'] as const;
type AccountKeyAlg = (typeof ACCOUNT_KEY_ALGS)[number];

/** The protected header of an ACME request (RFC 8555 §6.2). */
export interface AcmeJwsHeader {
  alg: AccountKeyAlg;
  nonce?: string;
  url: string;
  jwk?: JWK;
  kid?: string;
}

/** A flattened JWS as sent in an ACME request body, with its decoded protected header. */
export interface AcmeJws {
  protected: string;
  payload: string;
  signature: string;
  header: AcmeJwsHeader;
}

/** Parses the flattened JSON serialization and its protected header; anything else is `malformed`. */
export function parseJws(body: unknown, options: { requireNonce: boolean }): AcmeJws {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new AcmeError('malformed', 'request body must be a flattened JWS JSON object');
  const b = body as Record<string, unknown>;
  if (typeof b['protected'] !== 'string' || typeof b['payload'] !== 'string' || typeof b['signature'] !== 'string') {
    throw new AcmeError('malformed', 'JWS must have string fields "protected", "payload" and "signature"');
  }
  if ('header' in b) throw new AcmeError('malformed', 'JWS must not have an unprotected header');
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(b['protected'], 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new AcmeError('malformed', 'JWS protected header is not base64url-encoded JSON');
  }
  if (typeof header !== 'object' || header === null) throw new AcmeError('malformed', 'JWS protected header is not a JSON object');
  const alg = header['alg'];
  if (typeof alg !== 'string' || !(ACCOUNT_KEY_ALGS as readonly string[]).includes(alg)) {
    throw new AcmeError('badSignatureAlgorithm', `JWS algorithm ${JSON.stringify(alg ?? null)} is not supported; use one of ${ACCOUNT_KEY_ALGS.join(', ')}`);
  }
  if (typeof header['url'] !== 'string') throw new AcmeError('malformed', 'JWS protected header must have a "url"');
  if (options.requireNonce && typeof header['nonce'] !== 'string') throw new AcmeError('badNonce', 'JWS protected header must have a "nonce"');
  const hasJwk = header['jwk'] !== undefined;
  const hasKid = header['kid'] !== undefined;
  if (hasJwk === hasKid) throw new AcmeError('malformed', 'JWS protected header must have exactly one of "jwk" and "kid"');
  if (hasKid && typeof header['kid'] !== 'string') throw new AcmeError('malformed', 'JWS "kid" must be a string (the account URL)');
  if (hasJwk && (typeof header['jwk'] !== 'object' || header['jwk'] === null)) throw new AcmeError('malformed', 'JWS "jwk" must be a JSON object');
  return { protected: b['protected'], payload: b['payload'], signature: b['signature'], header: header as unknown as AcmeJwsHeader };
}

/** Verifies the signature with `jwk` and returns the payload bytes. A bad signature is `malformed`. */
export async function verifyJws(jws: AcmeJws, jwk: JWK): Promise<Uint8Array> {
  const key = await importAccountKey(jwk, jws.header.alg);
  try {
    const { payload } = await flattenedVerify({ protected: jws.protected, payload: jws.payload, signature: jws.signature }, key, { algorithms: [jws.header.alg] });
    return payload;
  } catch (err) {
    throw new AcmeError('malformed', `JWS signature does not verify with the account key: ${(err as Error).message}`);
  }
}

/** Checks an account public key (no private parts, sane sizes) and imports it for `alg`. */
export async function importAccountKey(jwk: JWK, alg: string): Promise<Parameters<typeof flattenedVerify>[1] & object> {
  if (jwk.d !== undefined || jwk.p !== undefined || jwk.k !== undefined) throw new AcmeError('badPublicKey', 'the account key must be a public key');
  if (jwk.kty === 'RSA' && Buffer.from(jwk.n ?? '', 'base64url').length * 8 < 2048) throw new AcmeError('badPublicKey', 'RSA account keys must have at least 2048 bits');
  const expected = alg === 'RS256' ? 'RSA' : alg === 'EdDSA' ? 'OKP' : 'EC';
  if (jwk.kty !== expected) throw new AcmeError('badSignatureAlgorithm', `algorithm ${alg} does not match a ${String(jwk.kty)} key`);
  try {
    return (await importJWK(jwk, alg)) as Parameters<typeof flattenedVerify>[1] & object;
  } catch (err) {
    throw new AcmeError('badPublicKey', `the account key cannot be used: ${(err as Error).message}`);
  }
}

/** The public members of a JWK (what is stored and compared). */
export function publicJwk(jwk: JWK): JWK {
  const { kty, crv, x, y, n, e } = jwk;
  return Object.fromEntries(Object.entries({ kty, crv, x, y, n, e }).filter(([, v]) => v !== undefined)) as JWK;
}

export function thumbprint(jwk: JWK): Promise<string> {
  return calculateJwkThumbprint(publicJwk(jwk), 'sha256');
}

/** Decodes a JSON payload; `undefined` for the empty payload of a POST-as-GET. */
export function payloadJson(payload: Uint8Array): unknown {
  if (payload.length === 0) return undefined;
  try {
    return JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    throw new AcmeError('malformed', 'JWS payload is not JSON');
  }
}
