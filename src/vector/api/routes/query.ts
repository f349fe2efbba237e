import type { FastifyInstance } from 'fastify';
import { DEFAULT_VECTOR } from '../../collection/config.js';
import type { Engine } from '../../engine/engine.js';
import { ValidationError } from '../../errors.js';
import type { QueryExecutor } from '../../query/executor.js';
import { distanceMatrix } from '../../query/matrix.js';
import { DEFAULT_GROUP_SIZE } from '../../query/model.js';
import { parseBody } from '../body.js';
import { toFilter } from '../convert/filter.js';
import { groupsWire, toGroupRequest } from '../convert/groups.js';
import { scoredPointWire, toOutput } from '../convert/output.js';
import { positiveLimit, rejectShardKey, toQueryPlan } from '../convert/query.js';
import { ok } from '../envelope.js';
import { collectionName } from '../params.js';
import { queryBatchSchema, queryGroupsSchema, queryRequestSchema, type QueryRequestWire } from '../schemas/query.js';
import { matrixRequestSchema } from '../schemas/read.js';
import { queryGroups } from '../../query/groups.js';
import type { Collection } from '../../collection/collection.js';

/** The Query API: query, query batch, query groups, and the distance matrix. */
export function queryRoutes(app: FastifyInstance, engine: Engine, executor: QueryExecutor): void {
  const runOne = async (collection: Collection, wire: QueryRequestWire) => {
    const plan = toQueryPlan(wire);
    const out = toOutput(wire.with_payload, wire.with_vector ?? wire.with_vectors, false);
    const records = await executor.runWithRecordsAsync(collection, plan, out.read);
    return records.map((r) => scoredPointWire(r, collection.isSingleVector, out.selectPayload));
  };

  app.post('/collections/:name/points/query', async (request, reply) => {
    const collection = engine.get(collectionName(request));
    const wire = parseBody(queryRequestSchema, request.body);
    return ok(request, reply, { points: await runOne(collection, wire) });
  });

  app.post('/collections/:name/points/query/batch', async (request, reply) => {
    const collection = engine.get(collectionName(request));
    const body = parseBody(queryBatchSchema, request.body);
    return ok(
      request,
      reply,
      await Promise.all(body.searches.map(async (wire) => ({ points: await runOne(collection, wire) }))),
    );
  });

  app.post('/collections/:name/points/query/groups', async (request, reply) => {
    const collection = engine.get(collectionName(request));
    const wire = parseBody(queryGroupsSchema, request.body);
    const plan = toQueryPlan({ ...wire, limit: undefined, offset: undefined }, 'limit');
    const group = toGroupRequest(wire.group_by, wire.group_size ?? DEFAULT_GROUP_SIZE, positiveLimit(wire.limit, 'limit'), wire.with_payload, wire.with_vector ?? wire.with_vectors, wire.with_lookup);
    const groups = queryGroups(executor, collection, plan, group.request, (name) => engine.get(name));
    return ok(request, reply, groupsWire(groups, collection, group));
  });

  for (const form of ['pairs', 'offsets'] as const) {
    app.post(`/collections/:name/points/search/matrix/${form}`, async (request, reply) => {
      const collection = engine.get(collectionName(request));
      const body = parseBody(matrixRequestSchema, request.body ?? {});
      rejectShardKey(body.shard_key);
      const sample = body.sample ?? 10;
      if (sample < 2) throw new ValidationError([{ field: 'sample', message: `value ${sample} invalid, must be 2 or larger` }]);
      const limit = positiveLimit(body.limit, 'limit', 3);
      const using = body.using ?? DEFAULT_VECTOR;
      collection.vectorOf(0, using); // 400 for an unknown vector name
      const matrix = distanceMatrix(collection, { using, sample, limit, ...(body.filter ? { filter: toFilter(body.filter) } : {}) });
      if (form === 'pairs') {
        const pairs = matrix.nearest.flatMap((row, i) => row.map((n) => ({ a: matrix.ids[i]!, b: matrix.ids[n.index]!, score: n.score })));
        return ok(request, reply, { pairs });
      }
      return ok(request, reply, {
        offsets_row: matrix.nearest.flatMap((row, i) => row.map(() => i)),
        offsets_col: matrix.nearest.flatMap((row) => row.map((n) => n.index)),
        scores: matrix.nearest.flatMap((row) => row.map((n) => n.score)),
        ids: matrix.ids,
      });
    });
  }
}
