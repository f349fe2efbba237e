import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../engine/engine.js';
import type { Mutator } from '../../replication/mutator.js';
import { BadRequestError } from '../../errors.js';
import { parseBody } from '../body.js';
import { collectionInfoWire, toCollectionConfig } from '../convert/collection.js';
import { toConfigPatch, toFieldSchema, toNewVector } from '../convert/collection-update.js';
import { ok, updated } from '../envelope.js';
import { collectionName, waitParam } from '../params.js';
import { createCollectionSchema, updateCollectionSchema, vectorNameConfigSchema } from '../schemas/collection.js';
import { createFieldIndexSchema } from '../schemas/index.js';

/**
 * Collections: list, create, update (PATCH), info, exists, delete; named vectors; payload indexes;
 * optimizations progress; cluster info and shard keys of a single-node collection.
 */
export function collectionRoutes(app: FastifyInstance, engine: Engine, mutator: Mutator): void {
  app.get('/collections', async (request, reply) => ok(request, reply, { collections: engine.names().map((name) => ({ name })) }));

  app.put('/collections/:name', async (request, reply) => {
    const name = collectionName(request);
    const config = toCollectionConfig(parseBody(createCollectionSchema, request.body ?? {}));
    await mutator.submit({ type: 'create_collection', name, config }, { wait: true });
    request.log.info({ collection: name }, 'collection created');
    return ok(request, reply, true);
  });

  app.patch('/collections/:name', async (request, reply) => {
    const name = collectionName(request);
    engine.get(name);
    const patch = toConfigPatch(parseBody(updateCollectionSchema, request.body ?? {}));
    await mutator.submit({ type: 'operation', collection: name, op: { type: 'update_config', patch } }, { wait: true });
    return ok(request, reply, true);
  });

  app.get('/collections/:name', async (request, reply) => ok(request, reply, collectionInfoWire(engine.get(collectionName(request)).info())));

  app.get('/collections/:name/exists', async (request, reply) => ok(request, reply, { exists: engine.resolve(collectionName(request)) !== undefined }));

  app.delete('/collections/:name', async (request, reply) => {
    const name = collectionName(request);
    const deleted = (await mutator.submit({ type: 'delete_collection', name }, { wait: true })).existed === true;
    if (deleted) request.log.info({ collection: name }, 'collection deleted');
    return ok(request, reply, deleted);
  });

  app.put('/collections/:name/vectors/:vector', async (request, reply) => {
    const collection = collectionName(request);
    engine.get(collection);
    const wait = waitParam(request);
    const name = (request.params as { vector: string }).vector;
    const params = toNewVector(parseBody(vectorNameConfigSchema, request.body));
    return updated(request, reply, await mutator.submit({ type: 'operation', collection, op: { type: 'create_vector', name, params } }, { wait }));
  });

  app.delete('/collections/:name/vectors/:vector', async (request, reply) => {
    const collection = collectionName(request);
    engine.get(collection);
    const wait = waitParam(request);
    const name = (request.params as { vector: string }).vector;
    return updated(request, reply, await mutator.submit({ type: 'operation', collection, op: { type: 'delete_vector', name } }, { wait }));
  });

  app.put('/collections/:name/index', async (request, reply) => {
    const collection = collectionName(request);
    engine.get(collection);
    const wait = waitParam(request);
    const body = parseBody(createFieldIndexSchema, request.body);
    return updated(request, reply, await mutator.submit({ type: 'operation', collection, op: { type: 'create_payload_index', field: body.field_name, schema: toFieldSchema(body) } }, { wait }));
  });

  app.delete('/collections/:name/index/:field', async (request, reply) => {
    const collection = collectionName(request);
    engine.get(collection);
    const wait = waitParam(request);
    const field = (request.params as { field: string }).field;
    return updated(request, reply, await mutator.submit({ type: 'operation', collection, op: { type: 'delete_payload_index', field } }, { wait }));
  });

  app.get('/collections/:name/optimizations', async (request, reply) => {
    engine.get(collectionName(request));
    const withParts = String((request.query as Record<string, unknown>).with ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const out: Record<string, unknown> = { summary: { queued_optimizations: 0, queued_segments: 0, queued_points: 0, idle_segments: 1 }, running: [] };
    if (withParts.includes('queued')) out.queued = [];
    if (withParts.includes('completed')) out.completed = [];
    if (withParts.includes('idle_segments')) out.idle_segments = [];
    return ok(request, reply, out);
  });

  app.get('/collections/:name/cluster', async (request, reply) => {
    const collection = engine.get(collectionName(request));
    return ok(request, reply, {
      peer_id: 0,
      shard_count: 1,
      local_shards: [{ shard_id: 0, points_count: collection.pointsCount, state: 'Active' }],
      remote_shards: [],
      shard_transfers: [],
    });
  });

  app.post('/collections/:name/cluster', async (request) => {
    engine.get(collectionName(request));
    throw new BadRequestError('Distributed deployment is disabled: a Phoenix replica serves every collection as one local shard');
  });

  app.get('/collections/:name/shards', async (request, reply) => {
    engine.get(collectionName(request));
    return ok(request, reply, { shard_keys: null });
  });

  for (const url of ['/collections/:name/shards', '/collections/:name/shards/delete']) {
    app.route({
      method: url.endsWith('delete') ? 'POST' : 'PUT',
      url,
      handler: async (request) => {
        engine.get(collectionName(request));
        throw new BadRequestError('Shard keys are not supported: a Phoenix collection is one shard with automatic sharding');
      },
    });
  }
}
