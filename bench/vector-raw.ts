/**
 * Raw hnswlib-node, the baseline of the vector benchmark: the same vectors and parameters,
 * `addPoint` one by one on one thread, `searchKnn` (with a JS filter callback for filtered search).
 * The benchmark interleaves its work in small chunks with the engine's, so both see the same load
 * on a shared machine.
 */
import hnswlib from 'hnswlib-node';
import { bucketOf, DIM, row, type Glove } from './vector-data.js';
import type { SearchAnswer } from './vector-engine.js';

export class RawBaseline {
  private readonly index: hnswlib.HierarchicalNSW;
  buildMs = 0;

  constructor(n: number, m: number, efConstruct: number) {
    this.index = new hnswlib.HierarchicalNSW('cosine', DIM);
    this.index.initIndex({ maxElements: n, m, efConstruction: efConstruct, randomSeed: 100 });
  }

  /** Adds base points [from, to) (timed). */
  add(g: Glove, from: number, to: number): void {
    const started = performance.now();
    for (let i = from; i < to; i++) this.index.addPoint(Array.from(row(g, i)), i);
    this.buildMs += performance.now() - started;
  }

  search(queries: number[][], ef: number, below?: number): SearchAnswer {
    this.index.setEf(ef);
    const filter = below === undefined ? undefined : (label: number) => bucketOf(label) < below;
    const ids: number[][] = [];
    const latenciesMs: number[] = [];
    const started = performance.now();
    for (const q of queries) {
      const t = performance.now();
      const r = filter ? this.index.searchKnn(q, 10, filter) : this.index.searchKnn(q, 10);
      latenciesMs.push(performance.now() - t);
      ids.push(r.neighbors);
    }
    return { ids, latenciesMs, totalMs: performance.now() - started };
  }
}

/** Concatenates chunked answers into one. */
export function joined(parts: SearchAnswer[]): SearchAnswer {
  return { ids: parts.flatMap((p) => p.ids), latenciesMs: parts.flatMap((p) => p.latenciesMs), totalMs: parts.reduce((t, p) => t + p.totalMs, 0) };
}
