import type { TLSSocket } from 'node:tls';
import type { FastifyRequest } from 'fastify';
import { ForbiddenError, UnauthorizedError } from '../../core/errors.js';
import { IdentityPolicy, peerIdentity, type SpiffeId } from '../../core/tls/spiffe.js';
import type { Accounts } from '../auth/accounts.js';
import type { Session } from '../store/sessions.js';
import { readCookie, SESSION_COOKIE } from './cookies.js';

/** The session token a request carries: `Authorization: Bearer …` first, else the session cookie. */
export function sessionTokenOf(request: FastifyRequest): string | undefined {
  const auth = request.headers.authorization;
  if (auth) {
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    return m?.[1];
  }
  return readCookie(request.headers.cookie, SESSION_COOKIE);
}

export function sessionOf(request: FastifyRequest, accounts: Accounts): Session | undefined {
  return accounts.authenticate(sessionTokenOf(request));
}

/** onRequest hook: 401 unless the request carries a live session. */
export function requireSession(accounts: Accounts) {
  return async (request: FastifyRequest): Promise<void> => {
    if (!sessionOf(request, accounts)) {
      throw new UnauthorizedError('HUB_UNAUTHENTICATED', 'log in first: POST /api/auth/login, then send the session cookie or Authorization: Bearer <token>');
    }
  };
}

/** The verified SPIFFE identity of the client certificate, if the client sent one. */
export function callerIdentity(request: FastifyRequest): SpiffeId | undefined {
  return peerIdentity(request.raw.socket as TLSSocket);
}

/** onRequest hook: 403 unless the client certificate carries an identity of `role` in our trust domain. */
export function requirePeer(trustDomain: string, role: string) {
  const policy = IdentityPolicy.roles(trustDomain, role);
  return async (request: FastifyRequest): Promise<void> => {
    const id = callerIdentity(request);
    if (!policy.allows(id)) {
      throw new ForbiddenError(
        'HUB_PEER_FORBIDDEN',
        `this endpoint requires a client certificate with identity ${policy.describe()}; ${id ? `got ${id.uri}` : 'no verified client certificate was presented'}`,
      );
    }
  };
}

/** The calling peer's name (after `requirePeer`). */
export function callerName(request: FastifyRequest): string {
  const id = callerIdentity(request);
  if (!id) throw new ForbiddenError('HUB_PEER_FORBIDDEN', 'no verified client certificate was presented');
  return id.name;
}
