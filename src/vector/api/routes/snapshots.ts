import { createReadStream, writeFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Engine } from '../../engine/engine.js';
import type { Mutator } from '../../replication/mutator.js';
import { QueryParamError, VectorNotFoundError } from '../../errors.js';
import { fetchSnapshot } from '../../snapshots/fetch.js';
import { multipartField } from '../../snapshots/multipart.js';
import type { Snapshots } from '../../snapshots/snapshots.js';
import { parseBody } from '../body.js';
import { ok } from '../envelope.js';
import { collectionName } from '../params.js';

/** Largest snapshot accepted by upload or download-for-recovery (uploads are held in memory). */
const MAX_SNAPSHOT_BYTES = 2 * 1024 * 1024 * 1024;

const recoverSchema = z.object({
  location: z.string(),
  priority: z.enum(['no_sync', 'snapshot', 'replica']).nullish(),
  checksum: z.string().nullish(),
  api_key: z.string().nullish(),
});

/**
 * Snapshots: collection snapshots (create, list, download, delete, recover from a location or an
 * upload), their single-shard forms (`/shards/0/…`), and full snapshots (create, list, download,
 * delete). Snapshot work finishes before the answer (`wait` is accepted and has nothing to wait for).
 */
export function snapshotRoutes(app: FastifyInstance, engine: Engine, dir: string, get: () => Snapshots, mutator: Mutator): void {

  const download = (file: string, reply: FastifyReply) => reply.type('application/octet-stream').send(createReadStream(file));

  for (const prefix of ['/collections/:name', '/collections/:name/shards/:shard']) {
    const shardCheck = (request: FastifyRequest) => {
      const shard = (request.params as { shard?: string }).shard;
      if (shard !== undefined && shard !== '0') throw new VectorNotFoundError(`Shard ${shard} does not exist`, 'VECTOR_SHARD_NOT_FOUND');
    };
    const list = async (request: FastifyRequest, reply: FastifyReply) => {
      shardCheck(request);
      const name = collectionName(request);
      engine.get(name);
      return ok(request, reply, get().store.list(engine.resolve(name)));
    };
    app.get(`${prefix}/snapshots`, list);
    app.post(`${prefix}/snapshots`, async (request, reply) => {
      shardCheck(request);
      return ok(request, reply, await get().createCollection(collectionName(request)));
    });
    app.get(`${prefix}/snapshots/:snapshot`, async (request, reply) => {
      shardCheck(request);
      const name = collectionName(request);
      engine.get(name);
      return download(get().store.path(engine.resolve(name), (request.params as { snapshot: string }).snapshot), reply);
    });
    app.delete(`${prefix}/snapshots/:snapshot`, async (request, reply) => {
      shardCheck(request);
      const name = collectionName(request);
      engine.get(name);
      get().store.delete(engine.resolve(name), (request.params as { snapshot: string }).snapshot);
      return ok(request, reply, true);
    });
    app.put(`${prefix}/snapshots/recover`, async (request, reply) => {
      shardCheck(request);
      const name = collectionName(request);
      const body = parseBody(recoverSchema, request.body);
      const incoming = get().incoming();
      try {
        await fetchSnapshot(body.location, incoming.file, { snapshotsDir: dir, maxBytes: MAX_SNAPSHOT_BYTES, ...(body.api_key ? { apiKey: body.api_key } : {}) });
        await mutator.submit({ type: 'restore_collection', name: engine.resolve(name) ?? name, file: incoming.file, ...(body.checksum ? { checksum: body.checksum } : {}) }, { wait: true });
      } finally {
        incoming.done();
      }
      request.log.info({ collection: name, location: body.location }, 'collection recovered from snapshot');
      return ok(request, reply, true);
    });
    app.post(`${prefix}/snapshots/upload`, { bodyLimit: MAX_SNAPSHOT_BYTES }, async (request, reply) => {
      shardCheck(request);
      const name = collectionName(request);
      const q = request.query as Record<string, string | undefined>;
      if (q.priority !== undefined && !['no_sync', 'snapshot', 'replica'].includes(q.priority)) throw new QueryParamError(`unknown variant \`${q.priority}\`, expected one of \`no_sync\`, \`snapshot\`, \`replica\``);
      const body = request.body;
      if (!Buffer.isBuffer(body)) throw new QueryParamError('expected a multipart/form-data body with a `snapshot` file');
      const data = multipartField(body, String(request.headers['content-type'] ?? ''), 'snapshot');
      const incoming = get().incoming();
      try {
        writeFileSync(incoming.file, data);
        await mutator.submit({ type: 'restore_collection', name: engine.resolve(name) ?? name, file: incoming.file, ...(q.checksum !== undefined ? { checksum: q.checksum } : {}) }, { wait: true });
      } finally {
        incoming.done();
      }
      request.log.info({ collection: name }, 'collection recovered from an uploaded snapshot');
      return ok(request, reply, true);
    });
  }

  app.get('/collections/:name/shards/:shard/snapshot', async (request, reply) => {
    const shard = (request.params as { shard: string }).shard;
    if (shard !== '0') throw new VectorNotFoundError(`Shard ${shard} does not exist`, 'VECTOR_SHARD_NOT_FOUND');
    const created = await get().createCollection(collectionName(request));
    return download(get().store.path(engine.resolve(collectionName(request)), created.name), reply);
  });

  app.get('/snapshots', async (request, reply) => ok(request, reply, get().store.list(undefined)));
  app.post('/snapshots', async (request, reply) => ok(request, reply, await get().createFull()));
  app.get('/snapshots/:snapshot', async (request, reply) => download(get().store.path(undefined, (request.params as { snapshot: string }).snapshot), reply));
  app.delete('/snapshots/:snapshot', async (request, reply) => {
    get().store.delete(undefined, (request.params as { snapshot: string }).snapshot);
    return ok(request, reply, true);
  });
}
