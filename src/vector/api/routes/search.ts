import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../engine/engine.js';
import { ValidationError } from '../../errors.js';
import { parseBody } from '../body.js';
import { toFilter } from '../convert/filter.js';
import { recordWire, scoredPointWire, toPayloadSelector, toVectorSelector } from '../convert/points.js';
import { toQuery, toSearch } from '../convert/query.js';
import { ok } from '../envelope.js';
import { collectionName } from '../params.js';
import { countRequestSchema, scrollRequestSchema } from '../schemas/points.js';
import { queryRequestSchema, searchRequestSchema } from '../schemas/query.js';
import { BadRequestError, PointNotFoundError, VectorNotFoundError } from '../../errors.js';
import type { Collection } from '../../collection/collection.js';
import type { PointRecord } from '../../collection/records.js';
import { dense } from '../../segment/vector-value.js';
import type { QueryRequest } from '../convert/query.js';

/** Runs a converted query: nearest to a vector or to a stored point (excluded), or points in id order. */
function runQuery(collection: Collection, q: QueryRequest): PointRecord[] {
  if (!q.nearest) {
    const page = collection.scroll({ limit: q.offset + q.limit, ...(q.filter ? { filter: q.filter } : {}), withPayload: q.withPayload, withVector: q.withVector });
    return page.points.slice(q.offset).map((r) => ({ ...r, score: 0 }));
  }
  let vector;
  let excludeIds;
  if ('vector' in q.nearest) {
    vector = dense(q.nearest.vector);
  } else {
    const id = q.nearest.id;
    if (collection.retrieve([id], { withPayload: { kind: 'none' }, withVector: { kind: 'none' } }).length === 0) throw new PointNotFoundError(id);
    vector = collection.vectorOf(id, q.using);
    if (!vector) throw new VectorNotFoundError(`Vector with name ${JSON.stringify(q.using)} for point not found`);
    excludeIds = [id];
  }
  return collection.search({
    using: q.using,
    vector,
    limit: q.limit,
    offset: q.offset,
    withPayload: q.withPayload,
    withVector: q.withVector,
    ...(q.filter ? { filter: q.filter } : {}),
    ...(q.scoreThreshold !== undefined ? { scoreThreshold: q.scoreThreshold } : {}),
    ...(excludeIds ? { excludeIds } : {}),
  });
}

/** Reads over many points: query (Query API), legacy search, scroll, count. */
export function searchRoutes(app: FastifyInstance, engine: Engine): void {
  app.post('/collections/:name/points/query', async (request, reply) => {
    const collection = engine.get(collectionName(request));
    const query = toQuery(parseBody(queryRequestSchema, request.body));
    const points = runQuery(collection, query).map((r) => scoredPointWire(r, collection.isSingleVector));
    return ok(request, reply, { points });
  });

  app.post('/collections/:name/points/search', async (request, reply) => {
    const collection = engine.get(collectionName(request));
    const query = toSearch(parseBody(searchRequestSchema, request.body));
    return ok(request, reply, runQuery(collection, query).map((r) => scoredPointWire(r, collection.isSingleVector)));
  });

  app.post('/collections/:name/points/scroll', async (request, reply) => {
    const collection = engine.get(collectionName(request));
    const body = parseBody(scrollRequestSchema, request.body);
    if (body.order_by !== undefined && body.order_by !== null) throw new BadRequestError('order_by is not supported by Phoenix yet', 'VECTOR_UNSUPPORTED');
    const limit = body.limit ?? 10;
    if (limit < 1) throw new ValidationError([{ field: 'limit', message: `value ${limit} invalid, must be 1 or larger` }]);
    const page = collection.scroll({
      limit,
      ...(body.offset !== null && body.offset !== undefined ? { offset: body.offset } : {}),
      ...(body.filter ? { filter: toFilter(body.filter) } : {}),
      withPayload: toPayloadSelector(body.with_payload, true),
      withVector: toVectorSelector(body.with_vector, false),
    });
    return ok(request, reply, { points: page.points.map((r) => recordWire(r, collection.isSingleVector)), next_page_offset: page.nextOffset ?? null });
  });

  app.post('/collections/:name/points/count', async (request, reply) => {
    const collection = engine.get(collectionName(request));
    const body = parseBody(countRequestSchema, request.body ?? {});
    return ok(request, reply, { count: collection.count(body.filter ? toFilter(body.filter) : undefined) });
  });
}
