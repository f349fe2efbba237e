import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../engine/engine.js';
import { parseBody } from '../body.js';
import { toPath } from '../convert/filter.js';
import { toSelection, toSelectionOf } from '../convert/points.js';
import { updated } from '../envelope.js';
import { collectionName, waitParam } from '../params.js';
import { deletePayloadSchema, setPayloadSchema } from '../schemas/payload.js';
import { pointsSelectorSchemaFor } from '../schemas/points.js';

/** Payload updates: set (merge), overwrite, delete keys, clear — each by `points` or `filter`. */
export function payloadRoutes(app: FastifyInstance, engine: Engine): void {
  for (const [method, type] of [
    ['POST', 'set_payload'],
    ['PUT', 'overwrite_payload'],
  ] as const) {
    app.route({
      method,
      url: '/collections/:name/points/payload',
      handler: async (request, reply) => {
        const collection = engine.get(collectionName(request));
        const wait = waitParam(request);
        const body = parseBody(setPayloadSchema, request.body);
        const selection = toSelectionOf(body.points, body.filter);
        const { operationId } = await collection.update({ type, selection, payload: body.payload, ...(body.key ? { key: toPath(body.key) } : {}) }, { wait });
        return updated(request, reply, operationId, wait);
      },
    });
  }

  app.post('/collections/:name/points/payload/delete', async (request, reply) => {
    const collection = engine.get(collectionName(request));
    const wait = waitParam(request);
    const body = parseBody(deletePayloadSchema, request.body);
    const selection = toSelectionOf(body.points, body.filter);
    const { operationId } = await collection.update({ type: 'delete_payload', selection, keys: body.keys.map(toPath) }, { wait });
    return updated(request, reply, operationId, wait);
  });

  app.post('/collections/:name/points/payload/clear', async (request, reply) => {
    const collection = engine.get(collectionName(request));
    const wait = waitParam(request);
    const selection = toSelection(parseBody(pointsSelectorSchemaFor(request.body), request.body));
    const { operationId } = await collection.update({ type: 'clear_payload', selection }, { wait });
    return updated(request, reply, operationId, wait);
  });
}
