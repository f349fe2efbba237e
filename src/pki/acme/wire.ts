import type { AcmeAccount, AcmeAuthz, AcmeChallenge, AcmeOrder } from './records.js';
import type { AcmeUrls } from './urls.js';

/** RFC 8555 §7.1 resources as JSON, built from stored records. */
export function accountJson(a: AcmeAccount, urls: AcmeUrls): Record<string, unknown> {
  return {
    status: a.status,
    contact: a.contact,
    termsOfServiceAgreed: true,
    orders: urls.orders(a.id),
    ...(a.eabKid ? { externalAccountBinding: { kid: a.eabKid } } : {}),
  };
}

export function orderJson(o: AcmeOrder, authzIds: readonly string[], urls: AcmeUrls): Record<string, unknown> {
  return {
    status: o.status,
    expires: o.expires.toISOString(),
    identifiers: o.identifiers,
    ...(o.notBefore ? { notBefore: o.notBefore.toISOString() } : {}),
    ...(o.notAfter ? { notAfter: o.notAfter.toISOString() } : {}),
    authorizations: authzIds.map((id) => urls.authz(id)),
    finalize: urls.finalize(o.id),
    ...(o.certificate ? { certificate: urls.certificate(o.certificate) } : {}),
    ...(o.error ? { error: o.error } : {}),
  };
}

export function challengeJson(c: AcmeChallenge, urls: AcmeUrls): Record<string, unknown> {
  return {
    type: c.type,
    url: urls.challenge(c.id),
    status: c.status,
    token: c.token,
    ...(c.validated ? { validated: c.validated.toISOString() } : {}),
    ...(c.error ? { error: c.error } : {}),
  };
}

export function authzJson(z: AcmeAuthz, challenges: readonly AcmeChallenge[], urls: AcmeUrls): Record<string, unknown> {
  return {
    identifier: z.identifier,
    status: z.status,
    expires: z.expires.toISOString(),
    challenges: challenges.map((c) => challengeJson(c, urls)),
    ...(z.wildcard ? { wildcard: true } : {}),
  };
}
