import { createPublicKey, randomBytes, X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { errorMessage } from '../../core/errors.js';
import { readCsr } from '../authority/csr.js';
import { isRevocationReason } from '../store/revocations.js';
import type { AcmeAnswer } from './accounts.js';
import { newId } from './accounts.js';
import { accountOf, type AcmeContext, type Authenticated } from './context.js';
import { checkCsrMatchesOrder, identifierSan, normalizeIdentifiers } from './identifiers.js';
import { AcmeError, toAcmeProblem } from './problem.js';
import type { AcmeAuthz, AcmeChallenge, AcmeOrder, ChallengeType, Identifier } from './records.js';
import { runValidation, type ValidationObserver } from './validation.js';
import { authzJson, challengeJson, orderJson } from './wire.js';

const ORDER_LIFETIME_MS = 24 * 3_600_000;
const MAX_IDENTIFIERS = 100;

const newOrderSchema = z.object({
  identifiers: z.array(z.object({ type: z.string(), value: z.string().min(1).max(255) })).min(1).max(MAX_IDENTIFIERS),
  notBefore: z.string().datetime({ offset: true }).optional(),
  notAfter: z.string().datetime({ offset: true }).optional(),
});
const finalizeSchema = z.object({ csr: z.string().min(1).regex(/^[A-Za-z0-9_-]+$/, 'csr must be base64url DER') });
const revokeSchema = z.object({ certificate: z.string().min(1).regex(/^[A-Za-z0-9_-]+$/), reason: z.number().int().optional() });

function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new AcmeError('malformed', `invalid ${what}: ${result.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`).join('; ')}`);
}

function challengeTypesFor(ctx: AcmeContext, id: Identifier, wildcard: boolean): ChallengeType[] {
  const possible: ChallengeType[] = wildcard ? ['dns-01'] : id.type === 'ip' ? ['http-01', 'tls-alpn-01'] : ['http-01', 'tls-alpn-01', 'dns-01'];
  return possible.filter((t) => ctx.provisioner.offers(t));
}

/** `POST new-order` (RFC 8555 §7.4): one authorization per identifier, each with the challenges it can use. */
export function newOrder(ctx: AcmeContext, auth: Authenticated): AcmeAnswer {
  const account = accountOf(auth);
  const body = parse(newOrderSchema, auth.payload, 'new-order request');
  const identifiers = normalizeIdentifiers(body.identifiers);
  const refused = identifiers.map((i) => ({ i, r: ctx.provisioner.policy.refusal([identifierSan(i)]) })).filter((x) => x.r);
  if (refused.length > 0) {
    throw new AcmeError('rejectedIdentifier', `provisioner "${ctx.provisioner.name}" does not issue for ${refused.map((x) => `${x.i.value} (${x.r?.why})`).join(', ')}`);
  }
  const now = Date.now();
  const notAfter = body.notAfter ? new Date(body.notAfter) : undefined;
  if (notAfter && notAfter.getTime() <= now) throw new AcmeError('malformed', 'notAfter must be in the future');
  const order: AcmeOrder = {
    id: newId(),
    account: account.id,
    provisioner: ctx.provisioner.name,
    status: 'pending',
    identifiers,
    notBefore: body.notBefore ? new Date(body.notBefore) : undefined,
    notAfter,
    expires: new Date(now + ORDER_LIFETIME_MS),
    created: new Date(now),
  };
  const authzs: AcmeAuthz[] = [];
  const challenges: AcmeChallenge[] = [];
  for (const id of identifiers) {
    const wildcard = id.type === 'dns' && id.value.startsWith('*.');
    const types = challengeTypesFor(ctx, id, wildcard);
    if (types.length === 0) throw new AcmeError('rejectedIdentifier', `provisioner "${ctx.provisioner.name}" offers no challenge that can prove ${id.value}`);
    const authz: AcmeAuthz = { id: newId(), orderId: order.id, account: account.id, identifier: wildcard ? { type: 'dns', value: id.value.slice(2) } : id, wildcard, status: 'pending', expires: order.expires };
    authzs.push(authz);
    for (const type of types) challenges.push({ id: newId(), authz: authz.id, type, token: randomBytes(32).toString('base64url'), status: 'pending' });
  }
  ctx.store.insertOrder(order, authzs, challenges);
  return { status: 201, body: orderJson(order, authzs.map((z) => z.id), ctx.urls), location: ctx.urls.order(order.id) };
}

function ownOrder(ctx: AcmeContext, auth: Authenticated, id: string): AcmeOrder {
  const order = ctx.store.order(id);
  if (!order || order.account !== accountOf(auth).id) throw new AcmeError('unauthorized', `order ${ctx.urls.order(id)} does not exist or belongs to another account`, { status: 404 });
  if (order.expires.getTime() <= Date.now() && (order.status === 'pending' || order.status === 'ready')) {
    ctx.store.moveOrder(id, ['pending', 'ready'], 'invalid', { error: { type: 'urn:ietf:params:acme:error:malformed', detail: 'the order expired' } });
    return ctx.store.order(id) as AcmeOrder;
  }
  return order;
}

/** Clients poll in-progress objects; lego waits 5 s without a Retry-After, so say 1 s. */
const POLL_SECONDS = 1;

function orderAnswer(ctx: AcmeContext, order: AcmeOrder): AcmeAnswer {
  const busy = order.status === 'pending' || order.status === 'processing';
  return { status: 200, body: orderJson(order, ctx.store.authzsOf(order.id).map((z) => z.id), ctx.urls), location: ctx.urls.order(order.id), ...(busy ? { retryAfter: POLL_SECONDS } : {}) };
}

export function getOrder(ctx: AcmeContext, auth: Authenticated, id: string): AcmeAnswer {
  return orderAnswer(ctx, ownOrder(ctx, auth, id));
}

function ownAuthz(ctx: AcmeContext, auth: Authenticated, id: string): AcmeAuthz {
  const authz = ctx.store.authz(id);
  if (!authz || authz.account !== accountOf(auth).id) throw new AcmeError('unauthorized', `authorization ${ctx.urls.authz(id)} does not exist or belongs to another account`, { status: 404 });
  return authz;
}

/** `POST authz/<id>`: POST-as-GET reads; `{status: "deactivated"}` deactivates (RFC 8555 §7.5.2). */
export function getAuthz(ctx: AcmeContext, auth: Authenticated, id: string): AcmeAnswer {
  let authz = ownAuthz(ctx, auth, id);
  const payload = auth.payload as { status?: unknown } | undefined;
  if (payload?.status === 'deactivated') {
    ctx.store.moveAuthz(id, ['pending', 'valid'], 'deactivated');
    ctx.store.moveOrder(authz.orderId, ['pending', 'ready'], 'invalid', { error: { type: 'urn:ietf:params:acme:error:unauthorized', detail: 'an authorization of the order was deactivated' } });
    authz = ctx.store.authz(id) as AcmeAuthz;
  }
  return { status: 200, body: authzJson(authz, ctx.store.challengesOf(id), ctx.urls), ...(authz.status === 'pending' ? { retryAfter: POLL_SECONDS } : {}) };
}

/** How long a challenge POST waits for a quick validation before answering `processing`. */
const QUICK_VALIDATION_MS = 1500;

/**
 * `POST challenge/<id>` with `{}`: the client is ready; validation runs in the background, and the
 * answer waits briefly for it, so a fast validation answers `valid` and spares the client a poll.
 */
export async function postChallenge(ctx: AcmeContext, auth: Authenticated, id: string, track: (p: Promise<void>) => void, observe?: ValidationObserver): Promise<AcmeAnswer> {
  const challenge = ctx.store.challenge(id);
  const authz = challenge ? ctx.store.authz(challenge.authz) : undefined;
  if (!challenge || !authz || authz.account !== accountOf(auth).id) throw new AcmeError('unauthorized', `challenge ${ctx.urls.challenge(id)} does not exist or belongs to another account`, { status: 404 });
  const up = `<${ctx.urls.authz(authz.id)}>;rel="up"`;
  if (auth.payload !== undefined && authz.status === 'pending' && ctx.store.moveChallenge(id, ['pending'], 'processing')) {
    const account = accountOf(auth);
    const validation = runValidation(ctx, { ...challenge, status: 'processing' }, authz, account, observe).catch((err: unknown) => {
      if (!ctx.signal.aborted) ctx.logger.error({ err: errorMessage(err), challenge: id }, 'ACME validation crashed');
    });
    track(validation);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([validation, new Promise<void>((resolve) => (timer = setTimeout(resolve, QUICK_VALIDATION_MS)))]);
    clearTimeout(timer);
  }
  const now = ctx.store.challenge(id) as AcmeChallenge;
  return { status: 200, body: challengeJson(now, ctx.urls), links: [up], ...(now.status === 'processing' || now.status === 'pending' ? { retryAfter: POLL_SECONDS } : {}) };
}

/**
 * `POST order/<id>/finalize` (RFC 8555 §7.4): the order must be `ready`; the CSR must name exactly
 * its identifiers. One request wins the move to `processing`; concurrent ones get `orderNotReady`.
 */
export async function finalize(ctx: AcmeContext, auth: Authenticated, id: string): Promise<AcmeAnswer> {
  const account = accountOf(auth);
  const order = ownOrder(ctx, auth, id);
  const body = parse(finalizeSchema, auth.payload, 'finalize request');
  if (order.status !== 'ready') throw new AcmeError('orderNotReady', `order is "${order.status}", not "ready"${order.status === 'pending' ? ': complete its challenges first' : ''}`);
  const der = Buffer.from(body.csr, 'base64url');
  const csr = await readCsr(`-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE REQUEST-----\n`);
  checkCsrMatchesOrder(csr, order.identifiers, account.boundUri);
  if (!ctx.store.moveOrder(id, ['ready'], 'processing')) throw new AcmeError('orderNotReady', 'the order is already being finalized');
  try {
    const signed = await ctx.authority.signAuthorized(csr, {
      provisioner: ctx.provisioner.name,
      subject: csr.commonName ?? order.identifiers[0]?.value ?? '',
      allowedSans: csr.sans,
      policy: ctx.provisioner.policy,
      ...(ctx.provisioner.config.lifetime !== undefined ? { lifetimeMs: ctx.provisioner.config.lifetime } : {}),
      notAfter: order.notAfter,
      actor: `acme:${account.id}`,
    });
    const certId = newId();
    ctx.store.insertCertificate({ id: certId, orderId: id, account: account.id, serial: new X509Certificate(signed.crt).serialNumber, chain: signed.certChain.join('') });
    ctx.store.moveOrder(id, ['processing'], 'valid', { certificate: certId });
  } catch (err) {
    const problem = toAcmeProblem(err);
    ctx.store.moveOrder(id, ['processing'], 'invalid', { error: problem });
    throw err;
  }
  return orderAnswer(ctx, ctx.store.order(id) as AcmeOrder);
}

/** `POST certificate/<id>` (POST-as-GET): leaf and intermediate, `application/pem-certificate-chain`. */
export function downloadCertificate(ctx: AcmeContext, auth: Authenticated, id: string): AcmeAnswer {
  const cert = ctx.store.certificate(id);
  if (!cert || cert.account !== accountOf(auth).id) throw new AcmeError('unauthorized', `certificate ${ctx.urls.certificate(id)} does not exist or belongs to another account`, { status: 404 });
  return { status: 200, body: cert.chain, contentType: 'application/pem-certificate-chain' };
}

/**
 * `POST revoke-cert` (RFC 8555 §7.6): signed by the account that ordered the certificate, or by
 * the certificate's own key (`jwk`). Reasons are RFC 5280 codes (not 7).
 */
export async function revokeCert(ctx: AcmeContext, auth: Authenticated): Promise<AcmeAnswer> {
  const body = parse(revokeSchema, auth.payload, 'revoke-cert request');
  const reason = body.reason ?? 0;
  if (!isRevocationReason(reason)) throw new AcmeError('badRevocationReason', `revocation reason ${reason} is not allowed (use 0–6 or 8–10)`);
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(Buffer.from(body.certificate, 'base64url'));
  } catch {
    throw new AcmeError('malformed', 'certificate is not base64url DER');
  }
  const intermediate = new X509Certificate(ctx.authority.intermediatePem);
  if (!cert.checkIssued(intermediate) || !cert.verify(intermediate.publicKey)) throw new AcmeError('unauthorized', 'the certificate was not issued by this CA');
  let by: string;
  if (auth.account) {
    if (ctx.store.certificateAccount(cert.serialNumber) !== auth.account.id) throw new AcmeError('unauthorized', 'this account did not order the certificate; sign with the account that did, or with the certificate key');
    by = `acme:${auth.account.id}`;
  } else {
    const presented = createPublicKey({ key: auth.jwk as never, format: 'jwk' }).export({ format: 'der', type: 'spki' });
    if (!presented.equals(cert.publicKey.export({ format: 'der', type: 'spki' }))) throw new AcmeError('unauthorized', "the request is signed neither by the ordering account nor by the certificate's key");
    by = `key:${cert.serialNumber}`;
  }
  await ctx.authority.revoke(cert.serialNumber, reason, by);
  return { status: 200 };
}
