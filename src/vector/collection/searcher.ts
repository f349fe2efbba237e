import { WrongInputError } from '../errors.js';
import { type Candidates } from '../index/candidates.js';
import { passesThreshold, postprocess, similarity } from '../index/distance.js';
import { maxSim } from '../index/multi-vector.js';
import { ScoredTop } from '../index/scored-top.js';
import { sparseDot } from '../index/sparse-index.js';
import type { Candidate } from '../index/top-k.js';
import type { PointId } from '../segment/point-id.js';
import type { VectorValue } from '../segment/vector-value.js';
import type { Reader } from './reader.js';
import type { PointRecord } from './records.js';
import type { ScoreRequest, SearchRequest } from './requests.js';
import type { Shard } from './shard.js';
import { prepareVector, specOf, type VectorKindSpec } from './vector-schema.js';

const NONE: ReadonlySet<number> = new Set();

/**
 * Nearest-neighbour search over one vector name, planned like Qdrant: the filter becomes
 * candidates (payload indexes), then dense vectors go through the HNSW graph (filter applied during
 * traversal) or an exact scan (small candidate sets, `exact`, no graph yet); sparse vectors through
 * their inverted index; multivectors by exact `max_sim`. Scores are reported as Qdrant reports them.
 */
export class Searcher {
  constructor(
    private readonly shard: Shard,
    private readonly reader: Reader,
  ) {}

  search(request: SearchRequest): PointRecord[] {
    const plan = this.plan(request);
    return this.records(request, plan, this.nearest(request, plan.spec, plan.query, plan.top, plan.candidates));
  }

  /**
   * `search`, with the graph search on the index's replica thread when the index can do that (an
   * unfiltered dense search: DenseIndex.searchAsync); undefined otherwise (use `search`).
   */
  searchAsync(request: SearchRequest): Promise<PointRecord[]> | undefined {
    const plan = this.plan(request);
    if (plan.query.kind !== 'dense' || plan.candidates) return undefined;
    const found = this.shard.dense.get(request.using)!.searchAsync(plan.query.values, plan.top, request.params ?? {});
    return found?.then((hits) => this.records(request, plan, hits));
  }

  private plan(request: SearchRequest) {
    const spec = specOf(this.shard.schema, request.using);
    const query = prepareVector(request.using, spec, request.vector);
    const candidates = this.reader.candidates(request.filter);
    const excluded = this.excludedSlots(request.excludeIds);
    const top = (request.offset ?? 0) + request.limit + excluded.size;
    return { spec, query, candidates, excluded, top };
  }

  /** Hits → records: excluded points, `offset` and `score_threshold` applied. */
  private records(request: SearchRequest, plan: { spec: VectorKindSpec; excluded: ReadonlySet<number> }, hits: Candidate[]): PointRecord[] {
    const out: PointRecord[] = [];
    let skip = request.offset ?? 0;
    for (const h of hits) {
      if (out.length === request.limit) break;
      if (plan.excluded.has(h.slot)) continue;
      const score = this.report(plan.spec, h.score);
      if (request.scoreThreshold !== undefined && !this.passes(plan.spec, score, request.scoreThreshold)) break;
      if (skip > 0) {
        skip--;
        continue;
      }
      const rec = this.reader.record(h.slot, request);
      rec.score = score;
      out.push(rec);
    }
    return out;
  }

  private nearest(request: SearchRequest, spec: VectorKindSpec, query: VectorValue, top: number, candidates: Candidates | undefined): Candidate[] {
    const { segment } = this.shard;
    const idOf = (slot: number) => segment.ids.idOf(slot)!;
    switch (query.kind) {
      case 'dense':
        return this.shard.dense.get(request.using)!.search(query.values, top, candidates, request.params ?? {});
      case 'sparse': {
        const index = this.shard.sparse.get(request.using)!;
        return index.search(index.weigh(query), top, candidates, segment.ids.capacity, idOf);
      }
      case 'multi': {
        if (spec.kind === 'sparse') throw new WrongInputError('multivector query on a sparse vector', 'VECTOR_KIND');
        const column = segment.columns.get(request.using)!;
        const best = new ScoredTop(top, idOf);
        this.reader.forEachCandidate(request.filter, (slot) => {
          const v = column.value(slot);
          if (v?.kind === 'multi') best.offer(slot, maxSim(spec.distance, query.vectors, v.vectors));
        });
        return best.sorted();
      }
    }
  }

  /**
   * Exact top-k over the filtered candidates with a caller-given score (larger is better); the
   * score is reported as returned.
   */
  scoreAll(request: ScoreRequest): PointRecord[] {
    specOf(this.shard.schema, request.using);
    const column = this.shard.segment.columns.get(request.using)!;
    const excluded = this.excludedSlots(request.excludeIds);
    const offset = request.offset ?? 0;
    const best = new ScoredTop(offset + request.limit, (slot) => this.shard.segment.ids.idOf(slot)!);
    this.reader.forEachCandidate(request.filter, (slot) => {
      if (excluded.has(slot)) return;
      const v = column.value(slot);
      if (!v) return;
      const score = request.score(v, slot);
      if (score === undefined || (request.scoreThreshold !== undefined && score < request.scoreThreshold)) return;
      best.offer(slot, score);
    });
    return best
      .sorted()
      .slice(offset)
      .map((c) => ({ ...this.reader.record(c.slot, request), score: c.score }));
  }

  /**
   * Raw similarity of two preprocessed vectors of a name (larger is better). Sparse names with the
   * `idf` modifier weigh the query by IDF here, as `search` does.
   */
  score(using: string, query: VectorValue, stored: VectorValue): number {
    const spec = specOf(this.shard.schema, using);
    if (query.kind === 'sparse' && stored.kind === 'sparse') {
      const index = this.shard.sparse.get(using);
      return sparseDot(index ? index.weighCached(query) : query, stored);
    }
    if (spec.kind === 'sparse') throw new WrongInputError(`Wrong vector type for vector \`${using}\``, 'VECTOR_KIND');
    if (query.kind === 'dense' && stored.kind === 'dense') return similarity(spec.distance, query.values, stored.values, 0);
    const q = query.kind === 'dense' ? [query.values] : query.kind === 'multi' ? query.vectors : undefined;
    const s = stored.kind === 'dense' ? [stored.values] : stored.kind === 'multi' ? stored.vectors : undefined;
    if (!q || !s) throw new WrongInputError(`Wrong vector type for vector \`${using}\``, 'VECTOR_KIND');
    return maxSim(spec.distance, q, s);
  }

  private report(spec: VectorKindSpec, raw: number): number {
    if (spec.kind === 'dense') return postprocess(spec.distance, raw);
    return Math.fround(raw);
  }

  private passes(spec: VectorKindSpec, score: number, threshold: number): boolean {
    if (spec.kind === 'dense') return passesThreshold(spec.distance, score, threshold);
    return score >= threshold;
  }

  private excludedSlots(ids: ReadonlyArray<PointId> | undefined): ReadonlySet<number> {
    if (!ids || ids.length === 0) return NONE;
    const out = new Set<number>();
    for (const id of ids) {
      const slot = this.shard.segment.slotOf(id);
      if (slot !== undefined) out.add(slot);
    }
    return out;
  }
}
