import type { Filter } from '../segment/filter.js';
import type { JsonPath } from '../segment/json-path.js';
import type { PointId } from '../segment/point-id.js';
import type { VectorValue } from '../segment/vector-value.js';
import type { Formula } from './formula.js';

/**
 * The engine form of a Query API request (the API converts wire bodies into these): a tree of
 * prefetches, each with an optional scoring query, merged bottom-up. Vectors named by point id
 * are resolved (from this collection or `lookupFrom`) before anything is scored.
 */

/** A vector, or the id of a point whose vector (of the `using` / lookup name) is meant. */
export type VectorInput = VectorValue | { kind: 'id'; id: PointId };

export interface ContextPair<V = VectorInput> {
  positive: V;
  negative: V;
}

export type RecommendStrategy = 'average_vector' | 'best_score' | 'sum_scores';

export interface OrderBy {
  key: JsonPath;
  direction: 'asc' | 'desc';
  /** A number, or a date-time (epoch ms) given as RFC 3339 text. */
  startFrom?: number;
}

export type ScoringQuery<V = VectorInput> =
  | { type: 'nearest'; vector: V; mmr?: { diversity: number; candidatesLimit?: number } }
  | { type: 'recommend'; positive: V[]; negative: V[]; strategy: RecommendStrategy }
  | { type: 'discover'; target: V; pairs: Array<ContextPair<V>> }
  | { type: 'context'; pairs: Array<ContextPair<V>> }
  | { type: 'order_by'; orderBy: OrderBy }
  | { type: 'fusion'; method: 'rrf'; k: number; weights?: number[] }
  | { type: 'fusion'; method: 'dbsf' }
  | { type: 'sample' }
  | { type: 'formula'; formula: Formula }
  | { type: 'feedback'; target: V; feedback: Array<{ example: V; score: number }>; a: number; b: number; c: number };

export interface SearchParams {
  hnswEf?: number;
  exact?: boolean;
}

export interface LookupLocation {
  collection: string;
  vector?: string;
}

export interface QueryNode<V = VectorInput> {
  prefetch: Array<QueryNode<V>>;
  query?: ScoringQuery<V>;
  /** Vector name (`''` is the default vector). */
  using: string;
  filter?: Filter;
  params?: SearchParams;
  scoreThreshold?: number;
  limit: number;
  lookupFrom?: LookupLocation;
}

export interface QueryPlan extends QueryNode {
  offset: number;
}

/** A result before payloads and vectors are attached. */
export interface Scored {
  id: PointId;
  score: number;
  /** The payload value a point was ordered by (order_by queries). */
  orderValue?: number;
}

export const DEFAULT_RRF_K = 2;
export const DEFAULT_LIMIT = 10;
export const DEFAULT_GROUP_SIZE = 3;
