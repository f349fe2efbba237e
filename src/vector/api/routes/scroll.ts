import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../engine/engine.js';
import { BadRequestError } from '../../errors.js';
import { parseBody } from '../body.js';
import { toFilter, toPath } from '../convert/filter.js';
import { recordWire, toOutput } from '../convert/output.js';
import { positiveLimit, rejectShardKey, toOrderBy } from '../convert/query.js';
import { ok } from '../envelope.js';
import { collectionName } from '../params.js';
import { countRequestSchema, scrollRequestSchema } from '../schemas/points.js';
import { facetRequestSchema } from '../schemas/read.js';

/** Reads over many points without a vector query: scroll (by id or `order_by`), count, facet. */
export function scrollRoutes(app: FastifyInstance, engine: Engine): void {
  app.post('/collections/:name/points/scroll', async (request, reply) => {
    const collection = engine.get(collectionName(request));
    const body = parseBody(scrollRequestSchema, request.body);
    rejectShardKey(body.shard_key);
    const limit = positiveLimit(body.limit, 'limit');
    const hasOffset = body.offset !== null && body.offset !== undefined;
    const orderBy = body.order_by === null || body.order_by === undefined ? undefined : toOrderBy(body.order_by);
    if (orderBy && hasOffset) throw new BadRequestError('Can not use `offset` with `order_by`, use `start_from` instead');
    const out = toOutput(body.with_payload, body.with_vector ?? body.with_vectors, true);
    const page = collection.scroll({
      limit,
      ...(hasOffset ? { offset: body.offset! } : {}),
      ...(body.filter ? { filter: toFilter(body.filter) } : {}),
      ...(orderBy ? { orderBy } : {}),
      ...out.read,
    });
    return ok(request, reply, {
      points: page.points.map((r) => recordWire(r, collection.isSingleVector, out.selectPayload)),
      next_page_offset: orderBy ? null : (page.nextOffset ?? null),
    });
  });

  app.post('/collections/:name/points/count', async (request, reply) => {
    const collection = engine.get(collectionName(request));
    const body = parseBody(countRequestSchema, request.body ?? {});
    rejectShardKey(body.shard_key);
    return ok(request, reply, { count: collection.count(body.filter ? toFilter(body.filter) : undefined) });
  });

  app.post('/collections/:name/facet', async (request, reply) => {
    const collection = engine.get(collectionName(request));
    const body = parseBody(facetRequestSchema, request.body);
    rejectShardKey(body.shard_key);
    const hits = collection.facet({
      key: toPath(body.key),
      limit: positiveLimit(body.limit, 'limit'),
      exact: body.exact ?? false,
      ...(body.filter ? { filter: toFilter(body.filter) } : {}),
    });
    return ok(request, reply, { hits: hits.map((h) => ({ value: h.value, count: h.count })) });
  });
}
