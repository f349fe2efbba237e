import { comparePointIds, type PointId } from '../segment/point-id.js';
import { TopK, type Candidate } from './top-k.js';

/**
 * The best `k` (slot, raw score) pairs, larger raw scores first and ties broken by point id like
 * Qdrant. Raw scores are rounded to f32 so the order agrees with the reported scores.
 */
export class ScoredTop {
  private readonly top: TopK;

  constructor(k: number, idOf: (slot: number) => PointId) {
    this.top = new TopK(k, (a: Candidate, b: Candidate) => a.score > b.score || (a.score === b.score && comparePointIds(idOf(a.slot), idOf(b.slot)) < 0));
  }

  /** Whether a candidate with this score could enter (so costly checks may be skipped). */
  wouldKeep(slot: number, raw: number): boolean {
    return this.top.wouldKeep(slot, Math.fround(raw));
  }

  offer(slot: number, raw: number): void {
    this.top.offer(slot, Math.fround(raw));
  }

  /** Best first. */
  sorted(): Candidate[] {
    return this.top.sorted();
  }
}
