import type { FastifyInstance } from 'fastify';
import type { VectorMetrics } from '../metrics.js';

/** Qdrant's service endpoints: version info, health probes, metrics. */
export const QDRANT_VERSION = '1.19.0';

export function serviceRoutes(app: FastifyInstance, metrics: VectorMetrics): void {
  app.get('/', async (_request, reply) => reply.type('application/json').send({ title: 'qdrant - vector search engine', version: QDRANT_VERSION, commit: null }));
  app.get('/healthz', async (_request, reply) => reply.type('text/plain').send('healthz check passed'));
  app.get('/livez', async (_request, reply) => reply.type('text/plain').send('healthz check passed'));
  app.get('/readyz', async (_request, reply) => reply.type('text/plain').send('all shards are ready'));
  app.get('/metrics', async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
}
