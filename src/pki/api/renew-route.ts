import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { UnauthorizedError } from '../../core/errors.js';
import type { Authority } from '../authority/authority.js';
import type { TokenLedger } from '../store/tokens.js';
import { parseBody } from './body.js';
import { certificateFromRenewToken } from './renew-token.js';

const renewRequestSchema = z.union([z.undefined(), z.null(), z.strictObject({})]);

/**
 * `POST /1.0/renew` (no body) over mTLS: the client certificate is the credential. No certificate →
 * 401; one that does not verify to our root or has expired → 401 saying why; else a new certificate
 * for the same key and names, 201 `{crt, ca, certChain}`. Behind a TLS-terminating proxy the
 * caller sends `Authorization: Bearer <renewal token>` instead (see renew-token.ts).
 */
export function registerRenewRoute(app: FastifyInstance, authority: Authority, tokenCheck?: { audienceHosts: readonly string[]; tokens: TokenLedger; leewaySeconds: number }): void {
  app.post('/1.0/renew', async (request, reply) => {
    parseBody(renewRequestSchema, request.body, 'renew (expects no body)');
    const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const leafPem = bearer && tokenCheck ? await certificateFromRenewToken(bearer, tokenCheck) : presentedCertificate(request.raw.socket as TLSSocket, authority.allowsRenewalAfterExpiry);
    const signed = await authority.renew(leafPem);
    return reply.code(201).send(signed);
  });
}

function presentedCertificate(socket: TLSSocket, allowExpired: boolean): string {
  const peer = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate(false) : undefined;
  if (!peer || !peer.raw) {
    throw new UnauthorizedError('PKI_RENEW_NO_CERTIFICATE', 'renewal needs the current certificate, presented as the TLS client certificate (mTLS)');
  }
  if (!socket.authorized) {
    const reason = String(socket.authorizationError ?? 'unknown');
    if (reason === 'CERT_HAS_EXPIRED' && allowExpired) return new X509Certificate(peer.raw).toString();
    if (reason === 'CERT_HAS_EXPIRED') {
      throw new UnauthorizedError(
        'PKI_RENEW_EXPIRED',
        `the presented certificate expired at ${new Date(peer.valid_to).toISOString()}; an expired certificate cannot be renewed, request a new one with a one-time token`,
      );
    }
    throw new UnauthorizedError('PKI_RENEW_UNTRUSTED', `the presented certificate does not verify to this CA's root (${reason})`);
  }
  return new X509Certificate(peer.raw).toString();
}
