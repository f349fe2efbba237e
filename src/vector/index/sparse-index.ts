import type { SparseVector } from '../segment/vector-value.js';
import type { Candidates } from './candidates.js';
import { ScoredTop } from './scored-top.js';
import type { Candidate } from './top-k.js';
import type { PointId } from '../segment/point-id.js';

/**
 * An inverted index over the sparse vectors of one name: dimension → (slot → value). Search
 * accumulates dot products over the query's dimensions only, so only points sharing a dimension
 * with the query are scored (as in Qdrant). With the `idf` modifier, query weights are multiplied
 * by Qdrant's inverse document frequency `ln((n − df + 0.5) / (df + 0.5) + 1)`.
 */
export class SparseIndex {
  private readonly postings = new Map<number, Map<number, number>>();
  private readonly bySlot: Array<Uint32Array | undefined> = [];
  private count = 0;
  /** Changes with every set/remove (the IDF weights may have changed). */
  private generation = 0;
  private lastWeighed: { query: SparseVector; generation: number; weighed: SparseVector } | undefined;
  private acc = new Float64Array(1024);
  private seen = new Uint8Array(1024);

  constructor(public idf: boolean) {}

  get size(): number {
    return this.count;
  }

  set(slot: number, vector: SparseVector | undefined): void {
    this.remove(slot);
    this.generation++;
    if (!vector) return;
    for (let i = 0; i < vector.indices.length; i++) {
      const dim = vector.indices[i]!;
      let posting = this.postings.get(dim);
      if (!posting) this.postings.set(dim, (posting = new Map()));
      posting.set(slot, vector.values[i]!);
    }
    this.bySlot[slot] = vector.indices;
    this.count++;
  }

  remove(slot: number): void {
    const dims = this.bySlot[slot];
    if (!dims) return;
    for (const dim of dims) {
      const posting = this.postings.get(dim);
      posting?.delete(slot);
      if (posting?.size === 0) this.postings.delete(dim);
    }
    this.bySlot[slot] = undefined;
    this.count--;
    this.generation++;
  }

  /** The query as scored: weights times IDF when the modifier is on. */
  weigh(query: SparseVector): SparseVector {
    if (!this.idf) return query;
    const values = new Float32Array(query.values.length);
    for (let i = 0; i < values.length; i++) values[i] = query.values[i]! * this.idfOf(query.indices[i]!);
    return { kind: 'sparse', indices: query.indices, values };
  }

  /**
   * `weigh` for a query scored against many points one by one (custom scoring calls it per
   * candidate): the weighed query is kept while the query object and the index stay the same.
   */
  weighCached(query: SparseVector): SparseVector {
    if (!this.idf) return query;
    const last = this.lastWeighed;
    if (last && last.query === query && last.generation === this.generation) return last.weighed;
    const weighed = this.weigh(query);
    this.lastWeighed = { query, generation: this.generation, weighed };
    return weighed;
  }

  idfOf(dim: number): number {
    const df = this.postings.get(dim)?.size ?? 0;
    const n = this.count;
    return Math.log((n - df + 0.5) / (df + 0.5) + 1);
  }

  /** Best `top` candidates by dot product with the (already weighed) query, raw scores. */
  search(query: SparseVector, top: number, candidates: Candidates | undefined, capacity: number, idOf: (slot: number) => PointId): Candidate[] {
    if (this.acc.length < capacity) {
      this.acc = new Float64Array(Math.max(capacity, this.acc.length * 2));
      this.seen = new Uint8Array(this.acc.length);
    }
    const acc = this.acc;
    const seen = this.seen;
    const touched: number[] = [];
    for (let i = 0; i < query.indices.length; i++) {
      const posting = this.postings.get(query.indices[i]!);
      if (!posting) continue;
      const w = query.values[i]!;
      for (const [slot, value] of posting) {
        if (seen[slot] === 0) {
          seen[slot] = 1;
          touched.push(slot);
        }
        acc[slot]! += w * value;
      }
    }
    const best = new ScoredTop(top, idOf);
    const mask = candidates?.mask;
    const check = candidates?.check;
    for (const slot of touched) {
      const score = acc[slot]!;
      acc[slot] = 0;
      seen[slot] = 0;
      if (mask && mask[slot] !== 1) continue;
      if (best.wouldKeep(slot, score) && (!check || check(slot))) best.offer(slot, score);
    }
    return best.sorted();
  }
}

/** Dot product of two sparse vectors with sorted indices. */
export function sparseDot(a: SparseVector, b: SparseVector): number {
  let i = 0;
  let j = 0;
  let acc = 0;
  while (i < a.indices.length && j < b.indices.length) {
    const x = a.indices[i]!;
    const y = b.indices[j]!;
    if (x === y) acc += a.values[i++]! * b.values[j++]!;
    else if (x < y) i++;
    else j++;
  }
  return acc;
}
