import { DEFAULT_VECTOR } from '../../collection/config.js';
import { BadRequestError, FormatError, ValidationError } from '../../errors.js';
import { parseDateTime } from '../../segment/filter.js';
import { DEFAULT_LIMIT, DEFAULT_RRF_K, type ContextPair, type OrderBy, type QueryNode, type QueryPlan, type ScoringQuery, type SearchParams, type VectorInput } from '../../query/model.js';
import type { OrderByWire, PrefetchWire, QueryInterfaceWire, QueryRequestWire, QueryWire, SearchParamsWire } from '../schemas/query.js';
import type { VectorInputWire } from '../schemas/vectors.js';
import { toFilter, toPath } from './filter.js';
import { toFormula } from './formula.js';
import { toVectorInput } from './vectors.js';

/** Query API bodies → engine query plans (`query/model.ts`). */
export function toQueryPlan(wire: QueryRequestWire, limitField = 'internal.limit'): QueryPlan {
  rejectShardKey(wire.shard_key);
  const node = toNode(wire as PrefetchWire, 'query', wire.limit, limitField);
  return { ...node, offset: wire.offset ?? 0 };
}

export function rejectShardKey(shardKey: unknown): void {
  if (shardKey !== undefined && shardKey !== null) throw new BadRequestError('Shard keys are not supported: a Phoenix collection is one shard with automatic sharding', 'VECTOR_SHARD_KEY');
}

export function positiveLimit(limit: number | null | undefined, field: string, fallback = DEFAULT_LIMIT): number {
  const l = limit ?? fallback;
  if (l < 1) throw new ValidationError([{ field, message: `value ${l} invalid, must be 1 or larger` }]);
  return l;
}

function toNode(wire: PrefetchWire, field: string, limit: number | null | undefined, limitField: string): QueryNode {
  const prefetch = wire.prefetch === null || wire.prefetch === undefined ? [] : Array.isArray(wire.prefetch) ? wire.prefetch : [wire.prefetch];
  const node: QueryNode = {
    prefetch: prefetch.map((p, i) => toNode(p, `prefetch[${i}].query`, p.limit, `prefetch[${i}].limit`)),
    using: wire.using ?? DEFAULT_VECTOR,
    limit: positiveLimit(limit, limitField),
  };
  if (wire.query !== null && wire.query !== undefined) node.query = toScoringQuery(wire.query, field);
  if (wire.filter) node.filter = toFilter(wire.filter);
  if (wire.params) node.params = toSearchParams(wire.params);
  if (wire.score_threshold !== null && wire.score_threshold !== undefined) node.scoreThreshold = Math.fround(wire.score_threshold); // an f32 in Qdrant
  if (wire.lookup_from) node.lookupFrom = { collection: wire.lookup_from.collection, ...(wire.lookup_from.vector ? { vector: wire.lookup_from.vector } : {}) };
  return node;
}

export function toSearchParams(wire: SearchParamsWire): SearchParams {
  const p: SearchParams = {};
  if (wire.hnsw_ef !== null && wire.hnsw_ef !== undefined) {
    if (wire.hnsw_ef < 1) throw new ValidationError([{ field: 'params.hnsw_ef', message: `value ${wire.hnsw_ef} invalid, must be 1 or larger` }]);
    p.hnswEf = wire.hnsw_ef;
  }
  if (wire.exact) p.exact = true;
  return p;
}

function isQueryKind(q: QueryInterfaceWire): q is QueryWire {
  return typeof q === 'object' && !Array.isArray(q) && !('indices' in q) && !('inference' in q);
}

export function toScoringQuery(q: QueryInterfaceWire, field: string): ScoringQuery {
  if (!isQueryKind(q)) return { type: 'nearest', vector: toVectorInput(q as VectorInputWire, field) };
  const input = (w: VectorInputWire, at: string): VectorInput => toVectorInput(w, at);
  if ('nearest' in q) {
    const out: ScoringQuery = { type: 'nearest', vector: input(q.nearest, `${field}.nearest`) };
    if (q.mmr) {
      const diversity = q.mmr.diversity ?? 0.5;
      if (diversity < 0 || diversity > 1) throw new ValidationError([{ field: `${field}.mmr.diversity`, message: `value ${diversity} invalid, must be from 0 to 1` }]);
      const limit = q.mmr.candidates_limit;
      if (limit !== null && limit !== undefined && limit > 16384) throw new ValidationError([{ field: `${field}.mmr.candidates_limit`, message: `value ${limit} invalid, must be 16384 or smaller` }]);
      out.mmr = { diversity, ...(limit !== null && limit !== undefined ? { candidatesLimit: limit } : {}) };
    }
    return out;
  }
  if ('recommend' in q) {
    const r = q.recommend;
    return {
      type: 'recommend',
      positive: (r.positive ?? []).map((v, i) => input(v, `${field}.recommend.positive[${i}]`)),
      negative: (r.negative ?? []).map((v, i) => input(v, `${field}.recommend.negative[${i}]`)),
      strategy: r.strategy ?? 'average_vector',
    };
  }
  if ('discover' in q) return { type: 'discover', target: input(q.discover.target, `${field}.discover.target`), pairs: toPairs(q.discover.context, `${field}.discover.context`) };
  if ('context' in q) return { type: 'context', pairs: toPairs(q.context, `${field}.context`) };
  if ('order_by' in q) return { type: 'order_by', orderBy: toOrderBy(q.order_by) };
  if ('fusion' in q) return q.fusion === 'rrf' ? { type: 'fusion', method: 'rrf', k: DEFAULT_RRF_K } : { type: 'fusion', method: 'dbsf' };
  if ('rrf' in q) {
    const k = q.rrf.k ?? DEFAULT_RRF_K;
    if (k < 1) throw new ValidationError([{ field: `${field}.rrf.k`, message: `value ${k} invalid, must be 1 or larger` }]);
    return { type: 'fusion', method: 'rrf', k, ...(q.rrf.weights ? { weights: q.rrf.weights } : {}) };
  }
  if ('sample' in q) return { type: 'sample' };
  if ('formula' in q) return { type: 'formula', formula: toFormula(q.formula, q.defaults) };
  const r = q.relevance_feedback;
  const { a, b, c } = r.strategy.naive;
  if (b < 0) throw new ValidationError([{ field: `${field}.relevance_feedback.strategy.naive.b`, message: `value ${b} invalid, must be 0.0 or larger` }]);
  return {
    type: 'feedback',
    target: input(r.target, `${field}.relevance_feedback.target`),
    feedback: r.feedback.map((item, i) => ({ example: input(item.example, `${field}.relevance_feedback.feedback[${i}].example`), score: item.score })),
    a,
    b,
    c,
  };
}

function toPairs(context: ContextWireLike, field: string): ContextPair[] {
  if (context === null || context === undefined) return [];
  const pairs = Array.isArray(context) ? context : [context];
  return pairs.map((p, i) => ({ positive: toVectorInput(p.positive, `${field}[${i}].positive`), negative: toVectorInput(p.negative, `${field}[${i}].negative`) }));
}

type ContextWireLike = { positive: VectorInputWire; negative: VectorInputWire } | Array<{ positive: VectorInputWire; negative: VectorInputWire }> | null | undefined;

export function toOrderBy(wire: OrderByWire): OrderBy {
  if (typeof wire === 'string') return { key: toPath(wire), direction: 'asc' };
  const out: OrderBy = { key: toPath(wire.key), direction: wire.direction ?? 'asc' };
  const start = wire.start_from;
  if (typeof start === 'number') out.startFrom = start;
  else if (typeof start === 'string') {
    const t = parseDateTime(start);
    if (Number.isNaN(t)) throw new FormatError(`'${start}' is not in a supported date/time format, please use RFC 3339`);
    out.startFrom = t;
  }
  return out;
}
