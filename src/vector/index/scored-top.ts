import { comparePointIds, type PointId } from '../segment/point-id.js';
import type { Candidate } from './top-k.js';

/**
 * The best `k` (slot, raw score) pairs, larger raw scores first and ties broken by point id like
 * Qdrant. Raw scores are rounded to f32 so the order agrees with the reported scores. A binary
 * heap in typed arrays (its root is the worst kept pair): offering allocates nothing, so exact
 * scans over many candidates stay cheap.
 */
export class ScoredTop {
  private readonly slots: Int32Array;
  private readonly scores: Float64Array;
  private n = 0;

  constructor(
    private readonly k: number,
    private readonly idOf: (slot: number) => PointId,
  ) {
    const size = Math.max(0, Math.min(k, 1 << 20));
    this.slots = new Int32Array(size);
    this.scores = new Float64Array(size);
  }

  /** Whether a candidate with this score could enter (so costly checks may be skipped). */
  wouldKeep(slot: number, raw: number): boolean {
    if (this.slots.length === 0) return false;
    if (this.n < this.slots.length) return true;
    const s = Math.fround(raw);
    const worst = this.scores[0]!;
    if (s !== worst) return s > worst;
    return comparePointIds(this.idOf(slot), this.idOf(this.slots[0]!)) < 0;
  }

  offer(slot: number, raw: number): void {
    if (!this.wouldKeep(slot, raw)) return;
    const s = Math.fround(raw);
    if (this.n < this.slots.length) {
      this.slots[this.n] = slot;
      this.scores[this.n] = s;
      this.up(this.n++);
    } else {
      this.slots[0] = slot;
      this.scores[0] = s;
      this.down(0);
    }
  }

  /** Best first. */
  sorted(): Candidate[] {
    const out: Candidate[] = [];
    for (let i = 0; i < this.n; i++) out.push({ slot: this.slots[i]!, score: this.scores[i]! });
    return out.sort((a, b) => (a.score !== b.score ? b.score - a.score : comparePointIds(this.idOf(a.slot), this.idOf(b.slot))));
  }

  /** Whether entry i ranks below entry j (lower score, or same score and larger id). */
  private worse(i: number, j: number): boolean {
    const a = this.scores[i]!;
    const b = this.scores[j]!;
    if (a !== b) return a < b;
    return comparePointIds(this.idOf(this.slots[i]!), this.idOf(this.slots[j]!)) > 0;
  }

  private swap(i: number, j: number): void {
    const s = this.slots[i]!;
    this.slots[i] = this.slots[j]!;
    this.slots[j] = s;
    const c = this.scores[i]!;
    this.scores[i] = this.scores[j]!;
    this.scores[j] = c;
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.worse(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let worst = i;
      if (l < this.n && this.worse(l, worst)) worst = l;
      if (r < this.n && this.worse(r, worst)) worst = r;
      if (worst === i) return;
      this.swap(i, worst);
      i = worst;
    }
  }
}
