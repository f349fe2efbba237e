import type { TLSSocket } from 'node:tls';
import type { FastifyRequest } from 'fastify';
import { ForbiddenError } from '../../core/errors.js';
import { IdentityPolicy, peerIdentity, type SpiffeId } from '../../core/tls/spiffe.js';
import type { Accounts, Principal } from '../auth/accounts.js';
import type { CsrfGuard } from '../auth/csrf.js';
import type { AuditLog } from '../audit.js';
import type { Revocations } from '../certs/revocations.js';
import { readCookie, SESSION_COOKIE } from './cookies.js';
import type { Guards } from './registry.js';

/** The bearer value of `Authorization: Bearer …`, '' when the header is malformed, undefined when absent. */
function bearerOf(request: FastifyRequest): string | undefined {
  const auth = request.headers.authorization;
  if (auth === undefined) return undefined;
  return /^Bearer\s+(\S+)$/i.exec(auth)?.[1] ?? '';
}

/** The caller: `Authorization: Bearer` (session or API token) first, else the session cookie. */
export function principalOf(request: FastifyRequest, accounts: Accounts): Principal | undefined {
  const bearer = bearerOf(request);
  if (bearer !== undefined) return bearer === '' ? undefined : accounts.fromBearer(bearer);
  return accounts.fromSession(readCookie(request.headers.cookie, SESSION_COOKIE), 'cookie');
}

/** The verified SPIFFE identity of the client certificate, if the client sent one. */
export function callerIdentity(request: FastifyRequest): SpiffeId | undefined {
  return peerIdentity(request.raw.socket as TLSSocket);
}

/** The serial number (upper-case hex) of the verified client certificate, if any. */
export function callerSerial(request: FastifyRequest): string | undefined {
  const socket = request.raw.socket as TLSSocket;
  if (!socket.authorized) return undefined;
  return socket.getPeerCertificate()?.serialNumber?.toUpperCase();
}

/** Requests whose connection is closed after the response (a revoked client certificate). */
export const DROP_AFTER_RESPONSE = new WeakSet<object>();

export interface GuardDeps {
  accounts: Accounts;
  csrf: CsrfGuard;
  trustDomain: string;
  revocations: Revocations;
  audit: AuditLog;
}

export function hubGuards(d: GuardDeps): Guards {
  const policies = { agent: IdentityPolicy.roles(d.trustDomain, 'agent'), router: IdentityPolicy.roles(d.trustDomain, 'router') };
  return {
    principal: (request) => principalOf(request, d.accounts),
    csrf(request, principal) {
      if (principal.via !== 'cookie') return;
      const reason = d.csrf.check(principal.credential, request.headers);
      if (reason) throw new ForbiddenError('HUB_CSRF', `refused as possible cross-site request forgery: ${reason}`);
    },
    peer(request, role) {
      const policy = policies[role];
      const id = callerIdentity(request);
      if (!policy.allows(id)) {
        throw new ForbiddenError(
          'HUB_PEER_FORBIDDEN',
          `this endpoint requires a client certificate with identity ${policy.describe()}; ${id ? `got ${id.uri}` : 'no verified client certificate was presented'}`,
        );
      }
      const serial = callerSerial(request);
      if (serial !== undefined && d.revocations.isRevoked(serial)) {
        // Refuse, and drop the connection once the answer is out: a revoked certificate gets no further requests on it.
        DROP_AFTER_RESPONSE.add(request.raw);
        throw new ForbiddenError('HUB_CERTIFICATE_REVOKED', `the client certificate (serial ${serial}) has been revoked`);
      }
      return id as SpiffeId;
    },
    audit: ({ request, status, action, principal, peer, note }) => {
      const actor = note.actor ?? (principal ? { name: principal.label, kind: principal.kind } : peer ? { name: `${peer.role}/${peer.name}`, kind: 'agent' as const } : { name: 'anonymous', kind: 'anonymous' as const });
      d.audit.record({
        actor: actor.name,
        actorKind: actor.kind,
        action,
        target: note.target ?? targetOf(request),
        outcome: status < 400 ? 'ok' : status === 401 || status === 403 || status === 429 ? 'refused' : 'failed',
        status,
        client: request.ip,
        userAgent: typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'] : null,
        detail: note.detail ?? null,
      });
    },
  };
}

function targetOf(request: FastifyRequest): string | null {
  // Secrets in paths (webhooks) are never written to the audit log.
  const params = Object.entries((request.params ?? {}) as Record<string, string>)
    .filter(([k]) => k !== 'secret')
    .map(([, v]) => v);
  return params.length > 0 ? params.join('/') : null;
}
