import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../engine/engine.js';
import type { Mutator } from '../../replication/mutator.js';
import { VectorNotFoundError } from '../../errors.js';
import { parseBody } from '../body.js';
import { toOutput } from '../convert/output.js';
import { toBatchOperations } from '../convert/batch.js';
import { recordWire, toDeleteVectors, toSelection, toUpdateVectors, toUpsert } from '../convert/points.js';
import { rejectShardKey } from '../convert/query.js';
import { ok, updated } from '../envelope.js';
import { guardUpdate } from '../quota-guard.js';
import { collectionName, pathPointId, waitParam } from '../params.js';
import { deleteVectorsSchema, pointRequestSchema, pointsSelectorSchemaFor, updateVectorsSchema, upsertSchemaFor } from '../schemas/points.js';

/** Points: upsert, retrieve (by ids and one by path), delete, update and delete vectors, batch update. */
export function pointRoutes(app: FastifyInstance, engine: Engine, mutator: Mutator): void {
  app.put('/collections/:name/points', async (request, reply) => {
    const collection = collectionName(request);
    engine.get(collection);
    const wait = waitParam(request);
    const op = toUpsert(parseBody(upsertSchemaFor(request.body), request.body));
    guardUpdate(engine, op);
    return updated(request, reply, await mutator.submit({ type: 'operation', collection, op }, { wait }));
  });

  app.post('/collections/:name/points', async (request, reply) => {
    const collection = engine.get(collectionName(request));
    const body = parseBody(pointRequestSchema, request.body);
    rejectShardKey(body.shard_key);
    const out = toOutput(body.with_payload, body.with_vector ?? body.with_vectors, true);
    const records = collection.retrieve(body.ids, out.read);
    return ok(request, reply, records.map((r) => recordWire(r, collection.isSingleVector, out.selectPayload)));
  });

  app.get('/collections/:name/points/:id', async (request, reply) => {
    const collection = engine.get(collectionName(request));
    const id = pathPointId(request);
    const [record] = collection.retrieve([id], { withPayload: { kind: 'all' }, withVector: { kind: 'all' } });
    if (!record) throw new VectorNotFoundError(`Point with id ${id} does not exists!`, 'VECTOR_POINT_NOT_FOUND');
    return ok(request, reply, recordWire(record, collection.isSingleVector));
  });

  app.post('/collections/:name/points/delete', async (request, reply) => {
    const collection = collectionName(request);
    engine.get(collection);
    const wait = waitParam(request);
    const selection = toSelection(parseBody(pointsSelectorSchemaFor(request.body), request.body));
    return updated(request, reply, await mutator.submit({ type: 'operation', collection, op: { type: 'delete', selection } }, { wait }));
  });

  app.put('/collections/:name/points/vectors', async (request, reply) => {
    const collection = collectionName(request);
    engine.get(collection);
    const wait = waitParam(request);
    const op = toUpdateVectors(parseBody(updateVectorsSchema, request.body));
    guardUpdate(engine, op);
    return updated(request, reply, await mutator.submit({ type: 'operation', collection, op }, { wait }));
  });

  app.post('/collections/:name/points/vectors/delete', async (request, reply) => {
    const collection = collectionName(request);
    engine.get(collection);
    const wait = waitParam(request);
    const op = toDeleteVectors(parseBody(deleteVectorsSchema, request.body));
    return updated(request, reply, await mutator.submit({ type: 'operation', collection, op }, { wait }));
  });

  app.post('/collections/:name/points/batch', async (request, reply) => {
    const collection = collectionName(request);
    engine.get(collection);
    const wait = waitParam(request);
    const ops = toBatchOperations(request.body);
    guardUpdate(engine, ops);
    const results = [];
    for (const op of ops) {
      const r = await mutator.submit({ type: 'operation', collection, op }, { wait });
      results.push({ operation_id: r.operationId, status: r.status });
    }
    return ok(request, reply, results);
  });
}
