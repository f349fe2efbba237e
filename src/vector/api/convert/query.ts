import type { ReadOptions } from '../../collection/requests.js';
import type { Filter } from '../../segment/filter.js';
import type { PointId } from '../../segment/point-id.js';

/** A Query API / legacy search request after conversion; `routes/search.ts` runs it on a collection. */
export interface QueryRequest extends ReadOptions {
  /** Vector name (`''` = default). */
  using: string;
  /** Nearest to this raw vector, or to the stored vector of a point (which is then excluded). */
  nearest?: { vector: Float32Array } | { id: PointId };
  filter?: Filter;
  limit: number;
  offset: number;
  scoreThreshold?: number;
}
import { DEFAULT_VECTOR } from '../../collection/config.js';
import { BadRequestError, ValidationError } from '../../errors.js';
import type { QueryInterfaceWire, QueryRequestWire, SearchRequestWire } from '../schemas/query.js';
import { toFilter } from './filter.js';
import { toPayloadSelector, toVectorSelector } from './points.js';

function positiveLimit(limit: number | null | undefined, fallback: number): number {
  const l = limit ?? fallback;
  if (l < 1) throw new ValidationError([{ field: 'limit', message: `value ${l} invalid, must be 1 or larger` }]);
  return l;
}

function nearestOf(q: QueryInterfaceWire): NonNullable<QueryRequest['nearest']> {
  if (Array.isArray(q)) return { vector: Float32Array.from(q) };
  if (typeof q === 'number' || typeof q === 'string') return { id: q };
  if ('nearest' in q) {
    if (q.mmr !== undefined && q.mmr !== null) throw new BadRequestError('MMR reranking is not supported by Phoenix yet', 'VECTOR_UNSUPPORTED');
    const n = q.nearest;
    return Array.isArray(n) ? { vector: Float32Array.from(n) } : { id: n };
  }
  throw new BadRequestError(`the \`${q.unsupported}\` query is not supported by Phoenix yet`, 'VECTOR_UNSUPPORTED');
}

/** Query API body → engine query. */
export function toQuery(wire: QueryRequestWire): QueryRequest {
  if (wire.prefetch !== undefined && wire.prefetch !== null) throw new BadRequestError('prefetch is not supported by Phoenix yet', 'VECTOR_UNSUPPORTED');
  if (wire.lookup_from !== undefined && wire.lookup_from !== null) throw new BadRequestError('lookup_from is not supported by Phoenix yet', 'VECTOR_UNSUPPORTED');
  const q: QueryRequest = {
    using: wire.using ?? DEFAULT_VECTOR,
    limit: positiveLimit(wire.limit, 10),
    offset: wire.offset ?? 0,
    withPayload: toPayloadSelector(wire.with_payload, false),
    withVector: toVectorSelector(wire.with_vector ?? wire.with_vectors, false),
  };
  if (wire.query !== null && wire.query !== undefined) q.nearest = nearestOf(wire.query);
  if (wire.filter) q.filter = toFilter(wire.filter);
  if (wire.score_threshold !== null && wire.score_threshold !== undefined) q.scoreThreshold = Math.fround(wire.score_threshold); // an f32 in Qdrant
  return q;
}

/** Legacy search body → engine query. */
export function toSearch(wire: SearchRequestWire): QueryRequest {
  const q: QueryRequest = {
    using: Array.isArray(wire.vector) ? DEFAULT_VECTOR : wire.vector.name,
    nearest: { vector: Float32Array.from(Array.isArray(wire.vector) ? wire.vector : wire.vector.vector) },
    limit: positiveLimit(wire.limit, 10),
    offset: wire.offset ?? 0,
    withPayload: toPayloadSelector(wire.with_payload, false),
    withVector: toVectorSelector(wire.with_vector, false),
  };
  if (wire.filter) q.filter = toFilter(wire.filter);
  if (wire.score_threshold !== null && wire.score_threshold !== undefined) q.scoreThreshold = Math.fround(wire.score_threshold); // an f32 in Qdrant
  return q;
}
