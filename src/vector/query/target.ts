import type { CollectionConfig } from '../collection/config.js';
import type { PointRecord } from '../collection/records.js';
import type { ReadOptions, ScrollRequest, SearchRequest } from '../collection/requests.js';
import type { Filter } from '../segment/filter.js';
import type { PointId } from '../segment/point-id.js';
import type { VectorValue } from '../segment/vector-value.js';

/**
 * What the query layer needs from a collection: the narrow interface it owns (DESIGN.md §4).
 * The engine's `Collection` satisfies it as it is.
 */
export interface QueryTarget {
  readonly name: string;
  readonly config: CollectionConfig;
  readonly isSingleVector: boolean;
  /** Nearest neighbours through the index, best first, with Qdrant's reported scores. */
  search(request: SearchRequest): PointRecord[];
  /** `search` off the event loop when the target can (undefined: it cannot, call `search`). */
  searchAsync?(request: SearchRequest): Promise<PointRecord[]> | undefined;
  /** Every live point matching the filter, by slot, in no particular order. */
  forEachCandidate(filter: Filter | undefined, each: (slot: number) => void): void;
  idAt(slot: number): PointId;
  /** The stored (preprocessed) vector of a slot; not a copy. */
  vectorAt(slot: number, using: string): VectorValue | undefined;
  /** The stored vector of a point (a copy); undefined when the point or that vector is missing. */
  vectorOf(id: PointId, using: string): VectorValue | undefined;
  /** Query-side preprocessing of a vector name (Cosine normalisation, sparse IDF weights). */
  preprocess(using: string, vector: VectorValue): VectorValue;
  /** Raw similarity of a preprocessed query and a stored vector; larger is better. */
  score(using: string, query: VectorValue, stored: VectorValue): number;
  /** Qdrant's reported score of a raw similarity (the distance itself for Euclid/Manhattan). */
  reportScore(using: string, raw: number): number;
  scroll(request: ScrollRequest): { points: PointRecord[]; nextOffset?: PointId };
  retrieve(ids: PointId[], options: ReadOptions): PointRecord[];
  count(filter?: Filter): number;
}

/** Finds another collection by name (lookup_from, with_lookup); throws Qdrant's 404 when missing. */
export type TargetResolver = (name: string) => QueryTarget;
