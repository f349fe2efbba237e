/**
 * The seam between a collection and its nearest-neighbour search. `ExactIndex` implements it by a
 * full scan; an HNSW index can implement the same interface later (and fall back to exact search
 * for small or heavily filtered candidate sets).
 */
export interface NearestRequest {
  /** Already preprocessed (normalised for Cosine). */
  query: Float32Array;
  /** Number of results wanted (offset + limit). */
  top: number;
  /** Only slots for which this is true are candidates. */
  accept: (slot: number) => boolean;
  /** Reported-score threshold (`score_threshold`), applied as Qdrant does per distance. */
  scoreThreshold?: number;
}

export interface ScoredSlot {
  slot: number;
  /** Reported score (distance for Euclid/Manhattan). */
  score: number;
}

export interface VectorIndex {
  /** Best first; ties broken by point id order. */
  search(request: NearestRequest): ScoredSlot[];
}
