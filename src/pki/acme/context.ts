import type { JWK } from 'jose';
import type { Logger } from 'pino';
import type { Authority } from '../authority/authority.js';
import type { AcmeStore } from './acme-store.js';
import { parseJws, payloadJson, verifyJws, type AcmeJws } from './jws.js';
import type { NonceStore } from './nonces.js';
import { AcmeError } from './problem.js';
import type { AcmeProvisioner } from './provisioner.js';
import type { AcmeAccount } from './records.js';
import type { AcmeUrls } from './urls.js';

/** What every ACME operation works with: one provisioner, the URLs the client used, shared state. */
export interface AcmeContext {
  store: AcmeStore;
  nonces: NonceStore;
  authority: Authority;
  provisioner: AcmeProvisioner;
  urls: AcmeUrls;
  logger: Logger;
  /** Aborted when the CA stops (background validations give up). */
  signal: AbortSignal;
}

export interface Authenticated {
  jws: AcmeJws;
  /** The decoded JSON payload; undefined for POST-as-GET. */
  payload: unknown;
  /** The key that signed the request (the account's, or the embedded `jwk`). */
  jwk: JWK;
  account?: AcmeAccount;
}

/**
 * RFC 8555 §6.2–6.5 request checks: a flattened JWS whose `url` is this request's URL, signed by the
 * account named in `kid` (or by the embedded `jwk` where the endpoint allows it), carrying a nonce
 * issued here and never used. A replayed nonce is `badNonce`; a bad signature `malformed`; an
 * unknown account `accountDoesNotExist`; a deactivated one `unauthorized`.
 */
export async function authenticate(ctx: AcmeContext, requestUrl: string, body: unknown, keyMode: 'kid' | 'jwk' | 'either'): Promise<Authenticated> {
  const jws = parseJws(body, { requireNonce: true });
  if (jws.header.url !== requestUrl) {
    throw new AcmeError('unauthorized', `JWS "url" ${JSON.stringify(jws.header.url)} is not the URL of this request (${requestUrl})`);
  }
  let jwk: JWK;
  let account: AcmeAccount | undefined;
  if (jws.header.kid !== undefined) {
    if (keyMode === 'jwk') throw new AcmeError('malformed', 'this request must be signed with an embedded "jwk", not a "kid"');
    const id = ctx.urls.accountIdOf(jws.header.kid);
    account = id ? ctx.store.account(id) : undefined;
    if (!account || account.provisioner !== ctx.provisioner.name) throw new AcmeError('accountDoesNotExist', `no account ${jws.header.kid} on this provisioner`);
    jwk = account.jwk;
  } else {
    if (keyMode === 'kid') throw new AcmeError('malformed', 'this request must be signed by an account ("kid"), not an embedded "jwk"');
    jwk = jws.header.jwk as JWK;
  }
  const payload = await verifyJws(jws, jwk);
  if (!ctx.nonces.consume(jws.header.nonce as string)) {
    throw new AcmeError('badNonce', 'the JWS nonce was already used, has expired, or was not issued by this CA; retry with the fresh nonce in Replay-Nonce');
  }
  if (account && account.status !== 'valid') throw new AcmeError('unauthorized', `account ${ctx.urls.account(account.id)} is ${account.status}`);
  return { jws, payload: payloadJson(payload), jwk, ...(account ? { account } : {}) };
}

/** The account of a `kid`-signed request (authenticate with keyMode 'kid' guarantees one). */
export function accountOf(auth: Authenticated): AcmeAccount {
  if (!auth.account) throw new AcmeError('accountDoesNotExist', 'this request needs an account');
  return auth.account;
}
