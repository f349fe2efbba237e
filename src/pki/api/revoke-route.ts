import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { BadRequestError, ForbiddenError, UnauthorizedError } from '../../core/errors.js';
import { REVOKE_TOKEN_PATH } from '../admin-token.js';
import type { Authority } from '../authority/authority.js';
import type { ProvisionerSet } from '../provisioners/provisioner-set.js';
import { normalizeSerial } from '../store/certificates.js';
import { isRevocationReason, type TokenLedger } from '../store/index.js';
import { authorizeAdmin } from './admin-auth.js';
import { parseBody } from './body.js';


/** step-ca's revoke request: a serial, a reason code, and either a one-time token or mTLS with the certificate itself. */
const revokeRequestSchema = z.strictObject({
  serial: z.string().regex(/^[0-9a-fA-F:]{1,80}$/, 'serial must be hex'),
  reasonCode: z.number().int().min(0).max(10).default(0),
  reason: z.string().max(200).optional(),
  ott: z.string().min(1).max(16_384).optional(),
  passive: z.boolean().optional(),
});

/**
 * `POST /1.0/revoke`:
 * - admin: `ott` is a one-time token of an admin provisioner (not `enroll`: 403), audience `/1.0/revoke`, subject the serial;
 * - holder: no token, the certificate itself presented over mTLS (its serial must be the one named).
 * 200 `{status: "ok"}`; 404 unknown serial; 409 already revoked.
 */
export function registerRevokeRoute(app: FastifyInstance, authority: Authority, provisioners: ProvisionerSet, tokens: TokenLedger): void {
  app.post('/1.0/revoke', async (request) => {
    const body = parseBody(revokeRequestSchema, request.body, 'revoke');
    if (!isRevocationReason(body.reasonCode)) throw new BadRequestError('PKI_BAD_REQUEST', `reasonCode ${body.reasonCode} is not an RFC 5280 reason (0–6, 8–10)`);
    const serial = normalizeSerial(body.serial);
    let by: string;
    if (body.ott !== undefined) {
      ({ by } = await authorizeAdmin(provisioners, tokens, body.ott, {
        path: REVOKE_TOKEN_PATH,
        what: 'revocation by serial',
        checkSubject: (subject) => (normalizeSerial(subject) === serial ? undefined : `the token is for serial ${subject}, not ${body.serial}`),
      }));
    } else {
      const socket = request.raw.socket as TLSSocket;
      const peer = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate(false) : undefined;
      if (!peer?.raw || !socket.authorized) throw new UnauthorizedError('PKI_REVOKE_UNAUTHORIZED', 'revocation needs an admin one-time token (ott) or the certificate itself presented over mTLS');
      const presented = new X509Certificate(peer.raw);
      if (normalizeSerial(presented.serialNumber) !== serial) throw new ForbiddenError('PKI_REVOKE_FORBIDDEN', 'over mTLS a certificate can only revoke itself');
      by = `mtls:${serial}`;
    }
    await authority.revoke(serial, body.reasonCode, by);
    return { status: 'ok' };
  });
}
