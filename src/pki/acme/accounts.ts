import { randomBytes } from 'node:crypto';
import { flattenedVerify, type JWK } from 'jose';
import { z } from 'zod';
import { accountOf, type AcmeContext, type Authenticated } from './context.js';
import { parseJws, publicJwk, thumbprint, verifyJws } from './jws.js';
import { AcmeError } from './problem.js';
import type { AcmeAccount } from './records.js';
import { accountJson } from './wire.js';

export interface AcmeAnswer {
  status: number;
  body?: unknown;
  location?: string;
  links?: string[];
  contentType?: string;
  /** Seconds a client should wait before polling again (sent while something is in progress). */
  retryAfter?: number;
}

const flattened = z.object({ protected: z.string(), payload: z.string(), signature: z.string() });
const newAccountSchema = z.object({
  contact: z.array(z.string().regex(/^mailto:[^\s,]+@[^\s,]+$/, 'contact must be a mailto: URI')).max(10).optional(),
  termsOfServiceAgreed: z.boolean().optional(),
  onlyReturnExisting: z.boolean().optional(),
  externalAccountBinding: flattened.optional(),
});
const updateAccountSchema = z.object({ status: z.literal('deactivated').optional(), contact: newAccountSchema.shape.contact });

function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  throw new AcmeError('malformed', `invalid ${what}: ${result.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`).join('; ')}`);
}

export function newId(): string {
  return randomBytes(12).toString('base64url');
}

/** `POST new-account` (RFC 8555 §7.3): create, or find by key (`onlyReturnExisting`); EAB when required. */
export async function newAccount(ctx: AcmeContext, auth: Authenticated): Promise<AcmeAnswer> {
  const body = parse(newAccountSchema, auth.payload, 'new-account request');
  const jwk = publicJwk(auth.jwk);
  const print = await thumbprint(jwk);
  const existing = ctx.store.accountByKey(ctx.provisioner.name, print);
  if (existing) return { status: 200, body: accountJson(existing, ctx.urls), location: ctx.urls.account(existing.id) };
  if (body.onlyReturnExisting) throw new AcmeError('accountDoesNotExist', 'no account exists for this key');
  const id = newId();
  let binding: { kid: string; boundUri?: string | undefined } | undefined;
  if (body.externalAccountBinding) binding = await checkExternalBinding(ctx, body.externalAccountBinding, print, id);
  else if (ctx.provisioner.config.requireEab) {
    throw new AcmeError('externalAccountRequired', `provisioner "${ctx.provisioner.name}" requires an external account binding (a key from POST /1.0/eab)`);
  }
  const account: AcmeAccount = {
    id,
    provisioner: ctx.provisioner.name,
    thumbprint: print,
    jwk,
    status: 'valid',
    contact: body.contact ?? [],
    eabKid: binding?.kid,
    boundUri: binding?.boundUri,
    created: new Date(),
  };
  ctx.store.insertAccount(account);
  ctx.logger.info({ account: id, provisioner: ctx.provisioner.name, eab: binding?.kid, boundUri: binding?.boundUri }, 'ACME account created');
  return { status: 201, body: accountJson(account, ctx.urls), location: ctx.urls.account(id) };
}

/**
 * RFC 8555 §7.3.4: an HMAC JWS over the account key, by a key the CA handed out; each key binds
 * one account, and may carry a SPIFFE URI that account's certificates may hold.
 */
async function checkExternalBinding(ctx: AcmeContext, eab: z.output<typeof flattened>, accountThumbprint: string, accountId: string) {
  let header: { alg?: string; kid?: string; url?: string; nonce?: unknown };
  try {
    header = JSON.parse(Buffer.from(eab.protected, 'base64url').toString('utf8')) as typeof header;
  } catch {
    throw new AcmeError('malformed', 'externalAccountBinding protected header is not base64url JSON');
  }
  if (!header.alg || !['HS256', 'HS384', 'HS512'].includes(header.alg)) throw new AcmeError('badSignatureAlgorithm', 'externalAccountBinding must be signed with HS256, HS384 or HS512');
  if (header.nonce !== undefined) throw new AcmeError('malformed', 'externalAccountBinding must not carry a nonce');
  if (header.url !== ctx.urls.newAccount) throw new AcmeError('unauthorized', 'externalAccountBinding "url" must be the new-account URL');
  const key = header.kid ? ctx.store.eabKey(header.kid) : undefined;
  if (!key || key.provisioner !== ctx.provisioner.name) throw new AcmeError('unauthorized', `external account key ${JSON.stringify(header.kid ?? null)} is unknown to provisioner "${ctx.provisioner.name}"`);
  if (key.expires.getTime() <= Date.now()) throw new AcmeError('unauthorized', `external account key ${key.kid} expired at ${key.expires.toISOString()}`);
  let payload: Uint8Array;
  try {
    ({ payload } = await flattenedVerify(eab, Buffer.from(key.hmac, 'base64url'), { algorithms: [header.alg] }));
  } catch (err) {
    throw new AcmeError('unauthorized', `externalAccountBinding signature does not verify: ${(err as Error).message}`);
  }
  let bound: JWK;
  try {
    bound = JSON.parse(Buffer.from(payload).toString('utf8')) as JWK;
  } catch {
    throw new AcmeError('malformed', 'externalAccountBinding payload must be the account JWK');
  }
  if ((await thumbprint(bound)) !== accountThumbprint) throw new AcmeError('unauthorized', 'externalAccountBinding binds a different key than the one signing this request');
  if (!ctx.store.bindEabKey(key.kid, accountId)) throw new AcmeError('unauthorized', `external account key ${key.kid} was already used for another account`);
  return { kid: key.kid, boundUri: key.boundUri };
}

/** `POST account/<id>`: POST-as-GET reads; `{contact}` updates; `{status: "deactivated"}` deactivates for good. */
export function updateAccount(ctx: AcmeContext, auth: Authenticated, id: string): AcmeAnswer {
  const account = accountOf(auth);
  if (account.id !== id) throw new AcmeError('unauthorized', 'an account can only read or change itself');
  if (auth.payload === undefined) return { status: 200, body: accountJson(account, ctx.urls), location: ctx.urls.account(id) };
  const change = parse(updateAccountSchema, auth.payload, 'account update');
  if (change.contact) ctx.store.updateAccount(id, { contact: change.contact });
  if (change.status === 'deactivated') {
    ctx.store.updateAccount(id, { status: 'deactivated' });
    ctx.logger.info({ account: id }, 'ACME account deactivated');
  }
  return { status: 200, body: accountJson(ctx.store.account(id) as AcmeAccount, ctx.urls), location: ctx.urls.account(id) };
}

/** `POST account/<id>/orders`: the account's order URLs. */
export function accountOrders(ctx: AcmeContext, auth: Authenticated, id: string): AcmeAnswer {
  const account = accountOf(auth);
  if (account.id !== id) throw new AcmeError('unauthorized', "an account can only list its own orders");
  return { status: 200, body: { orders: ctx.store.ordersOf(id).map((o) => ctx.urls.order(o.id)) } };
}

/**
 * `POST key-change` (RFC 8555 §7.3.5): the outer JWS by the current key, the inner by the new key
 * over `{account, oldKey}`; a key already used by another account is a 409 naming it.
 */
export async function changeKey(ctx: AcmeContext, auth: Authenticated): Promise<AcmeAnswer> {
  const account = accountOf(auth);
  const inner = parseJws(auth.payload, { requireNonce: false });
  if (inner.header.nonce !== undefined) throw new AcmeError('malformed', 'the inner key-change JWS must not carry a nonce');
  if (inner.header.url !== auth.jws.header.url) throw new AcmeError('malformed', 'the inner key-change JWS must have the same "url" as the outer one');
  if (!inner.header.jwk) throw new AcmeError('malformed', 'the inner key-change JWS must embed the new key as "jwk"');
  const newKey = publicJwk(inner.header.jwk);
  const body = JSON.parse(Buffer.from(await verifyJws(inner, newKey)).toString('utf8')) as { account?: unknown; oldKey?: JWK };
  if (body.account !== ctx.urls.account(account.id)) throw new AcmeError('malformed', 'key-change "account" must be the URL of the signing account');
  if (!body.oldKey || (await thumbprint(body.oldKey)) !== account.thumbprint) throw new AcmeError('malformed', 'key-change "oldKey" is not the current account key');
  const print = await thumbprint(newKey);
  const holder = ctx.store.accountByKey(ctx.provisioner.name, print);
  if (holder) return { status: 409, body: { type: 'urn:ietf:params:acme:error:malformed', detail: 'the new key already belongs to an account', status: 409 }, location: ctx.urls.account(holder.id), contentType: 'application/problem+json' };
  if (!ctx.store.changeKey(account.id, ctx.provisioner.name, print, newKey)) throw new AcmeError('malformed', 'the new key already belongs to an account', { status: 409 });
  ctx.logger.info({ account: account.id }, 'ACME account key changed');
  return { status: 200, body: accountJson(ctx.store.account(account.id) as AcmeAccount, ctx.urls), location: ctx.urls.account(account.id) };
}
