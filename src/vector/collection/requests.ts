import type { Filter } from '../segment/filter.js';
import type { JsonPath } from '../segment/json-path.js';
import type { PointId } from '../segment/point-id.js';
import type { VectorValue } from '../segment/vector-value.js';
import type { CollectionConfig } from './config.js';
import type { PayloadSchemaType } from './operations.js';
import type { PayloadSelector, VectorSelector } from './records.js';

/** Read requests and answers of `Collection` (engine form; the API converts to and from the wire). */

export interface ReadOptions {
  withPayload: PayloadSelector;
  withVector: VectorSelector;
}

/** Nearest-neighbour search over one vector name. */
export interface SearchRequest extends ReadOptions {
  /** Vector name (`''` = default). */
  using: string;
  /** The query, raw (normalised here for Cosine). Its kind must match the vector name's kind. */
  vector: VectorValue;
  filter?: Filter;
  limit: number;
  offset?: number;
  /** Qdrant's `score_threshold` (a distance bound for Euclid/Manhattan). */
  scoreThreshold?: number;
  params?: SearchParams;
  /** Points never returned (e.g. the query's own point in query-by-id and recommend). */
  excludeIds?: ReadonlyArray<PointId>;
}

export interface SearchParams {
  /** Beam width of the graph search (default: the index's `ef_construct`). */
  hnswEf?: number;
  /** Scan every candidate instead of the graph. */
  exact?: boolean;
  /** Ignore points not yet in the graph (Qdrant's `indexed_only`). */
  indexedOnly?: boolean;
}

/**
 * Exact top-k with a caller-given score (discover, context, recommend best_score/sum_scores):
 * `score` gets each candidate's stored vector of `using` (preprocessed as stored) and returns a
 * score where larger is better, or `undefined` to skip the candidate.
 */
export interface ScoreRequest extends ReadOptions {
  using: string;
  filter?: Filter;
  score: (vector: VectorValue, slot: number) => number | undefined;
  limit: number;
  offset?: number;
  scoreThreshold?: number;
  excludeIds?: ReadonlyArray<PointId>;
}

export interface OrderBy {
  key: JsonPath;
  direction: 'asc' | 'desc';
  /** Number, or a date-time as epoch milliseconds for datetime indexes. */
  startFrom?: number;
}

export interface ScrollRequest extends ReadOptions {
  offset?: PointId;
  limit: number;
  filter?: Filter;
  /** Needs a numeric or datetime payload index on the key (Qdrant's rule). */
  orderBy?: OrderBy;
}

export interface FacetRequest {
  key: JsonPath;
  filter?: Filter;
  limit: number;
  exact: boolean;
}

export interface FacetHit {
  value: string | number | boolean;
  count: number;
}

/** One entry of Qdrant's `payload_schema`. */
export interface PayloadIndexInfo {
  data_type: PayloadSchemaType;
  params?: Record<string, unknown>;
  points: number;
}

export type CollectionStatus = 'green' | 'yellow' | 'grey' | 'red';

export interface CollectionInfo {
  /** `yellow` while vectors wait to enter the index, `green` otherwise. */
  status: CollectionStatus;
  optimizerStatus: 'ok' | { error: string };
  pointsCount: number;
  indexedVectorsCount: number;
  segmentsCount: number;
  config: CollectionConfig;
  payloadSchema: Record<string, PayloadIndexInfo>;
}
