import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../../core/errors.js';
import { certificateFingerprint } from '../authority/ca-certificates.js';

/**
 * Trust bootstrap (step-ca's): `GET /roots.pem` (PEM), `GET /roots` (`{crts: [pem]}`) and
 * `GET /root/<sha256 hex>` (`{ca: pem}`), which lets a client that knows only the fingerprint fetch
 * and check the root.
 */
export function registerRootsRoutes(app: FastifyInstance, rootPem: string): void {
  const fingerprint = certificateFingerprint(rootPem);
  app.get('/roots.pem', async (_request, reply) => reply.type('application/x-pem-file').send(rootPem));
  app.get('/roots', async () => ({ crts: [rootPem] }));
  app.get<{ Params: { sha: string } }>('/root/:sha', async (request) => {
    const wanted = request.params.sha.replace(/:/g, '').toLowerCase();
    if (wanted !== fingerprint) throw new NotFoundError('PKI_ROOT_NOT_FOUND', `no root certificate with SHA-256 fingerprint ${request.params.sha}`);
    return { ca: rootPem };
  });
}
