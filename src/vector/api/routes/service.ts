import type { FastifyInstance } from 'fastify';
import { BadRequestError, QueryParamError } from '../../errors.js';
import type { VectorMetrics } from '../metrics.js';
import type { Telemetry } from '../telemetry.js';
import { ok } from '../envelope.js';
import { QDRANT_VERSION } from '../version.js';

export { QDRANT_VERSION } from '../version.js';

/**
 * Qdrant's service endpoints: version info, health probes, metrics, telemetry, issues, and the
 * cluster endpoints of a single node (`/cluster` answers `disabled`).
 */
export function serviceRoutes(app: FastifyInstance, metrics: VectorMetrics, telemetry: Telemetry, readiness?: () => { ready: boolean; detail: string }): void {
  app.get('/', async (_request, reply) => reply.type('application/json').send({ title: 'qdrant - vector search engine', version: QDRANT_VERSION, commit: null }));
  app.get('/healthz', async (_request, reply) => reply.type('text/plain').send('healthz check passed'));
  app.get('/livez', async (_request, reply) => reply.type('text/plain').send('healthz check passed'));
  // A replica of a replica set is ready while it is in sync with its leader (the router then sends it reads).
  app.get('/readyz', async (_request, reply) => {
    const r = readiness?.() ?? { ready: true, detail: '' };
    return r.ready ? reply.type('text/plain').send('all shards are ready') : reply.code(503).type('text/plain').send(`some shards are not ready: ${r.detail}`);
  });
  app.get('/metrics', async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));

  app.get('/telemetry', async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    const level = q.details_level === undefined ? 0 : Number(q.details_level);
    if (!Number.isInteger(level) || level < 0) throw new QueryParamError(`invalid digit found in string`);
    const anonymize = q.anonymize === 'true';
    return ok(request, reply, telemetry.data(level, anonymize));
  });

  app.get('/issues', async (request, reply) => ok(request, reply, { issues: [] }));
  app.delete('/issues', async (request, reply) => ok(request, reply, true));

  app.get('/cluster', async (request, reply) => ok(request, reply, { status: 'disabled' }));
  const distributedOnly = async (): Promise<never> => {
    throw new BadRequestError('Distributed mode disabled');
  };
  app.get('/cluster/telemetry', distributedOnly);
  app.post('/cluster/recover', distributedOnly);
  app.delete('/cluster/peer/:peer', distributedOnly);
}
