import type { FastifyInstance } from 'fastify';
import { UnavailableError } from '../../core/errors.js';
import type { CrlPublisher } from '../authority/crl.js';

/** `GET /1.0/crl`: the current CRL, DER (`application/pkix-crl`), or PEM with `?pem=true` (step-ca's shape). */
export function registerCrlRoute(app: FastifyInstance, crl: CrlPublisher): void {
  app.get<{ Querystring: { pem?: string } }>('/1.0/crl', async (request, reply) => {
    const current = crl.current ?? (await crl.regenerate());
    if (!current) throw new UnavailableError('PKI_CRL_UNAVAILABLE', 'the CRL is not built yet');
    reply.header('cache-control', 'no-cache');
    reply.header('last-modified', current.thisUpdate.toUTCString());
    if (request.query.pem === 'true' || request.query.pem === '1') return reply.type('application/x-pem-file').send(current.pem);
    return reply.type('application/pkix-crl').send(current.der);
  });
}
