import type { FastifyInstance } from 'fastify';
import type { Collection } from '../../collection/collection.js';
import type { Engine } from '../../engine/engine.js';
import type { QueryExecutor } from '../../query/executor.js';
import { queryGroups } from '../../query/groups.js';
import type { QueryPlan } from '../../query/model.js';
import { parseBody } from '../body.js';
import { groupsWire, toGroupRequest } from '../convert/groups.js';
import { discoverPlan, recommendPlan, searchPlan } from '../convert/legacy.js';
import { scoredPointWire, toOutput } from '../convert/output.js';
import { ok } from '../envelope.js';
import { collectionName } from '../params.js';
import {
  discoverBatchSchema,
  discoverRequestSchema,
  recommendBatchSchema,
  recommendGroupsSchema,
  recommendRequestSchema,
  searchBatchSchema,
  searchGroupsSchema,
  searchRequestSchema,
} from '../schemas/legacy.js';
import type { WithPayloadWire, WithVectorWire } from '../schemas/common.js';

/**
 * The legacy search, recommend and discover families (dropped from Qdrant 1.19's OpenAPI file but
 * still served by Qdrant): each runs as a Query API plan; results are bare lists of scored points.
 */
export function legacyRoutes(app: FastifyInstance, engine: Engine, executor: QueryExecutor): void {
  const run = (collection: Collection, plan: QueryPlan, wire: { with_payload?: WithPayloadWire | null | undefined; with_vector?: WithVectorWire | null | undefined; with_vectors?: WithVectorWire | null | undefined }) => {
    const out = toOutput(wire.with_payload, wire.with_vector ?? wire.with_vectors, false);
    return executor.runWithRecords(collection, plan, out.read).map((r) => scoredPointWire(r, collection.isSingleVector, out.selectPayload));
  };

  /** `run` for plain searches: the graph search may run on the index's replica thread. */
  const search = async (collection: Collection, plan: QueryPlan, wire: Parameters<typeof run>[2]) => {
    const out = toOutput(wire.with_payload, wire.with_vector ?? wire.with_vectors, false);
    const records = await executor.runWithRecordsAsync(collection, plan, out.read);
    return records.map((r) => scoredPointWire(r, collection.isSingleVector, out.selectPayload));
  };

  app.post('/collections/:name/points/search', async (request, reply) => {
    const collection = engine.get(collectionName(request));
    const wire = parseBody(searchRequestSchema, request.body);
    return ok(request, reply, await search(collection, searchPlan(wire, wire.limit, wire.offset ?? 0), wire));
  });

  app.post('/collections/:name/points/search/batch', async (request, reply) => {
    const collection = engine.get(collectionName(request));
    const body = parseBody(searchBatchSchema, request.body);
    return ok(request, reply, await Promise.all(body.searches.map((wire) => search(collection, searchPlan(wire, wire.limit, wire.offset ?? 0), wire))));
  });

  app.post('/collections/:name/points/search/groups', async (request, reply) => {
    const collection = engine.get(collectionName(request));
    const wire = parseBody(searchGroupsSchema, request.body);
    const group = toGroupRequest(wire.group_by, wire.group_size, wire.limit, wire.with_payload, wire.with_vector ?? wire.with_vectors, wire.with_lookup);
    const groups = queryGroups(executor, collection, searchPlan(wire, wire.limit), group.request, (name) => engine.get(name));
    return ok(request, reply, groupsWire(groups, collection, group));
  });

  app.post('/collections/:name/points/recommend', async (request, reply) => {
    const collection = engine.get(collectionName(request));
    const wire = parseBody(recommendRequestSchema, request.body);
    return ok(request, reply, run(collection, recommendPlan(wire, wire.limit, wire.offset ?? 0), wire));
  });

  app.post('/collections/:name/points/recommend/batch', async (request, reply) => {
    const collection = engine.get(collectionName(request));
    const body = parseBody(recommendBatchSchema, request.body);
    return ok(request, reply, body.searches.map((wire) => run(collection, recommendPlan(wire, wire.limit, wire.offset ?? 0), wire)));
  });

  app.post('/collections/:name/points/recommend/groups', async (request, reply) => {
    const collection = engine.get(collectionName(request));
    const wire = parseBody(recommendGroupsSchema, request.body);
    const group = toGroupRequest(wire.group_by, wire.group_size, wire.limit, wire.with_payload, wire.with_vector ?? wire.with_vectors, wire.with_lookup);
    const groups = queryGroups(executor, collection, recommendPlan(wire, wire.limit), group.request, (name) => engine.get(name));
    return ok(request, reply, groupsWire(groups, collection, group));
  });

  app.post('/collections/:name/points/discover', async (request, reply) => {
    const collection = engine.get(collectionName(request));
    const wire = parseBody(discoverRequestSchema, request.body);
    return ok(request, reply, run(collection, discoverPlan(wire), wire));
  });

  app.post('/collections/:name/points/discover/batch', async (request, reply) => {
    const collection = engine.get(collectionName(request));
    const body = parseBody(discoverBatchSchema, request.body);
    return ok(request, reply, body.searches.map((wire) => run(collection, discoverPlan(wire), wire)));
  });
}
