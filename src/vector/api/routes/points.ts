import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../engine/engine.js';
import { VectorNotFoundError } from '../../errors.js';
import { parseBody } from '../body.js';
import { recordWire, toPayloadSelector, toSelection, toUpsert, toVectorSelector } from '../convert/points.js';
import { ok, updated } from '../envelope.js';
import { collectionName, pathPointId, waitParam } from '../params.js';
import { pointRequestSchema, pointsSelectorSchemaFor, upsertSchemaFor } from '../schemas/points.js';

/** Points: upsert, retrieve (by ids and one by path), delete (by ids or filter). */
export function pointRoutes(app: FastifyInstance, engine: Engine): void {
  app.put('/collections/:name/points', async (request, reply) => {
    const collection = engine.get(collectionName(request));
    const wait = waitParam(request);
    const op = toUpsert(parseBody(upsertSchemaFor(request.body), request.body));
    const { operationId } = await collection.update(op, { wait });
    return updated(request, reply, operationId, wait);
  });

  app.post('/collections/:name/points', async (request, reply) => {
    const collection = engine.get(collectionName(request));
    const body = parseBody(pointRequestSchema, request.body);
    const records = collection.retrieve(body.ids, {
      withPayload: toPayloadSelector(body.with_payload, true),
      withVector: toVectorSelector(body.with_vector, false),
    });
    return ok(request, reply, records.map((r) => recordWire(r, collection.isSingleVector)));
  });

  app.get('/collections/:name/points/:id', async (request, reply) => {
    const collection = engine.get(collectionName(request));
    const id = pathPointId(request);
    const [record] = collection.retrieve([id], { withPayload: { kind: 'all' }, withVector: { kind: 'all' } });
    if (!record) throw new VectorNotFoundError(`Point with id ${id} does not exists!`, 'VECTOR_POINT_NOT_FOUND');
    return ok(request, reply, recordWire(record, collection.isSingleVector));
  });

  app.post('/collections/:name/points/delete', async (request, reply) => {
    const collection = engine.get(collectionName(request));
    const wait = waitParam(request);
    const selection = toSelection(parseBody(pointsSelectorSchemaFor(request.body), request.body));
    const { operationId } = await collection.update({ type: 'delete', selection }, { wait });
    return updated(request, reply, operationId, wait);
  });
}
