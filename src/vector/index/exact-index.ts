import { comparePointIds, type PointId } from '../segment/point-id.js';
import type { DenseVectorStorage } from '../segment/vector-storage.js';
import { passesThreshold, postprocess, similarity, type Distance } from './distance.js';
import { TopK, type Candidate } from './top-k.js';
import type { NearestRequest, ScoredSlot, VectorIndex } from './vector-index.js';

/** Exact nearest-neighbour search: scores every accepted vector and keeps the top k. */
export class ExactIndex implements VectorIndex {
  constructor(
    private readonly storage: DenseVectorStorage,
    private readonly distance: Distance,
    /** Live slots to scan and their ids (for tie-breaking). */
    private readonly slots: () => Iterable<number>,
    private readonly idOf: (slot: number) => PointId,
  ) {}

  search(request: NearestRequest): ScoredSlot[] {
    const { storage, distance } = this;
    const better = (a: Candidate, b: Candidate) => a.score > b.score || (a.score === b.score && comparePointIds(this.idOf(a.slot), this.idOf(b.slot)) < 0);
    const top = new TopK(request.top, better);
    const data = storage.data;
    const dim = storage.dim;
    for (const slot of this.slots()) {
      if (!storage.has(slot)) continue;
      // Rank by the f32-rounded raw similarity, so ordering agrees with the reported scores.
      const score = Math.fround(similarity(distance, request.query, data, slot * dim));
      // The filter runs only for candidates that would make the top k.
      if (top.wouldKeep(slot, score) && request.accept(slot)) top.offer(slot, score);
    }
    const out: ScoredSlot[] = [];
    for (const c of top.sorted()) {
      const score = postprocess(distance, c.score);
      if (request.scoreThreshold !== undefined && !passesThreshold(distance, score, request.scoreThreshold)) continue;
      out.push({ slot: c.slot, score });
    }
    return out;
  }
}
