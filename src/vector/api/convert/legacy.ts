import { DEFAULT_VECTOR } from '../../collection/config.js';
import { BadRequestError } from '../../errors.js';
import type { QueryNode, QueryPlan, ScoringQuery } from '../../query/model.js';
import type { DiscoverRequestWire, RecommendGroupsWire, RecommendRequestWire, SearchGroupsWire, SearchRequestWire } from '../schemas/legacy.js';
import type { SearchParamsWire } from '../schemas/query.js';
import { toFilter } from './filter.js';
import { positiveLimit, rejectShardKey, toSearchParams } from './query.js';
import { toVectorInput, toVectorValue } from './vectors.js';

/** Legacy search / recommend / discover bodies → the same query plans the Query API runs. */
interface LegacyCommon {
  shard_key?: unknown;
  filter?: Parameters<typeof toFilter>[0] | null | undefined;
  params?: SearchParamsWire | null | undefined;
  score_threshold?: number | null | undefined;
}

function base(wire: LegacyCommon, using: string, query: ScoringQuery, limit: number): QueryNode {
  rejectShardKey(wire.shard_key);
  const node: QueryNode = { prefetch: [], using, query, limit: positiveLimit(limit, 'limit') };
  if (wire.filter) node.filter = toFilter(wire.filter);
  if (wire.params) node.params = toSearchParams(wire.params);
  if (wire.score_threshold !== null && wire.score_threshold !== undefined) node.scoreThreshold = Math.fround(wire.score_threshold);
  return node;
}

function searchVector(vector: SearchRequestWire['vector']): { using: string; query: ScoringQuery } {
  if (Array.isArray(vector)) return { using: DEFAULT_VECTOR, query: { type: 'nearest', vector: toVectorValue(vector, 'vector') } };
  return { using: vector.name, query: { type: 'nearest', vector: toVectorValue(vector.vector, 'vector.vector') } };
}

export function searchPlan(wire: SearchRequestWire | SearchGroupsWire, limit: number, offset = 0): QueryPlan {
  const { using, query } = searchVector(wire.vector);
  return { ...base(wire, using, query, limit), offset };
}

export function recommendPlan(wire: RecommendRequestWire | RecommendGroupsWire, limit: number, offset = 0): QueryPlan {
  const strategy = wire.strategy ?? 'average_vector';
  const positive = (wire.positive ?? []).map((v, i) => toVectorInput(v, `positive[${i}]`));
  const negative = (wire.negative ?? []).map((v, i) => toVectorInput(v, `negative[${i}]`));
  if (strategy === 'average_vector' && positive.length === 0) throw new BadRequestError('At least one positive vector ID required with this strategy');
  if (positive.length === 0 && negative.length === 0) throw new BadRequestError('At least one positive or negative vector ID required with this strategy');
  const node = base(wire, wire.using ?? DEFAULT_VECTOR, { type: 'recommend', positive, negative, strategy }, limit);
  if (wire.lookup_from) node.lookupFrom = { collection: wire.lookup_from.collection, ...(wire.lookup_from.vector ? { vector: wire.lookup_from.vector } : {}) };
  return { ...node, offset };
}

export function discoverPlan(wire: DiscoverRequestWire): QueryPlan {
  const pairs = (wire.context ?? []).map((p, i) => ({ positive: toVectorInput(p.positive, `context[${i}].positive`), negative: toVectorInput(p.negative, `context[${i}].negative`) }));
  let query: ScoringQuery;
  if (wire.target !== null && wire.target !== undefined) query = { type: 'discover', target: toVectorInput(wire.target, 'target'), pairs };
  else if (pairs.length > 0) query = { type: 'context', pairs };
  else throw new BadRequestError('target or context must be provided');
  const node = base(wire, wire.using ?? DEFAULT_VECTOR, query, wire.limit);
  if (wire.lookup_from) node.lookupFrom = { collection: wire.lookup_from.collection, ...(wire.lookup_from.vector ? { vector: wire.lookup_from.vector } : {}) };
  return { ...node, offset: wire.offset ?? 0 };
}
