import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../engine/engine.js';
import type { Mutator } from '../../replication/mutator.js';
import { parseBody } from '../body.js';
import { toPayloadOperation } from '../convert/batch.js';
import { toSelection } from '../convert/points.js';
import { updated } from '../envelope.js';
import { guardUpdate } from '../quota-guard.js';
import { collectionName, waitParam } from '../params.js';
import { deletePayloadSchema, setPayloadSchema } from '../schemas/payload.js';
import { pointsSelectorSchemaFor } from '../schemas/points.js';

/** Payload updates: set (merge), overwrite, delete keys, clear — each by `points` or `filter`. */
export function payloadRoutes(app: FastifyInstance, engine: Engine, mutator: Mutator): void {
  for (const [method, type] of [
    ['POST', 'set_payload'],
    ['PUT', 'overwrite_payload'],
  ] as const) {
    app.route({
      method,
      url: '/collections/:name/points/payload',
      handler: async (request, reply) => {
        const collection = collectionName(request);
        engine.get(collection);
        const wait = waitParam(request);
        const op = toPayloadOperation(type, parseBody(setPayloadSchema, request.body));
        guardUpdate(engine, op);
        return updated(request, reply, await mutator.submit({ type: 'operation', collection, op }, { wait }));
      },
    });
  }

  app.post('/collections/:name/points/payload/delete', async (request, reply) => {
    const collection = collectionName(request);
    engine.get(collection);
    const wait = waitParam(request);
    const op = toPayloadOperation('delete_payload', parseBody(deletePayloadSchema, request.body));
    return updated(request, reply, await mutator.submit({ type: 'operation', collection, op }, { wait }));
  });

  app.post('/collections/:name/points/payload/clear', async (request, reply) => {
    const collection = collectionName(request);
    engine.get(collection);
    const wait = waitParam(request);
    const selection = toSelection(parseBody(pointsSelectorSchemaFor(request.body), request.body));
    return updated(request, reply, await mutator.submit({ type: 'operation', collection, op: { type: 'clear_payload', selection } }, { wait }));
  });
}
