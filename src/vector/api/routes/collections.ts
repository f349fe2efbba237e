import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../engine/engine.js';
import { parseBody } from '../body.js';
import { collectionInfoWire, toCollectionConfig } from '../convert/collection.js';
import { ok } from '../envelope.js';
import { collectionName } from '../params.js';
import { createCollectionSchema } from '../schemas/collection.js';

/** Collections: list, create, info, exists, delete. */
export function collectionRoutes(app: FastifyInstance, engine: Engine): void {
  app.get('/collections', async (request, reply) => ok(request, reply, { collections: engine.names().map((name) => ({ name })) }));

  app.put('/collections/:name', async (request, reply) => {
    const name = collectionName(request);
    const config = toCollectionConfig(parseBody(createCollectionSchema, request.body));
    engine.create(name, config);
    request.log.info({ collection: name }, 'collection created');
    return ok(request, reply, true);
  });

  app.get('/collections/:name', async (request, reply) => ok(request, reply, collectionInfoWire(engine.get(collectionName(request)).info())));

  app.get('/collections/:name/exists', async (request, reply) => ok(request, reply, { exists: engine.has(collectionName(request)) }));

  app.delete('/collections/:name', async (request, reply) => {
    const name = collectionName(request);
    const deleted = engine.delete(name);
    if (deleted) request.log.info({ collection: name }, 'collection deleted');
    return ok(request, reply, deleted);
  });
}
