import type { PointRecord } from '../collection/records.js';
import type { Filter } from '../segment/filter.js';
import type { PointId } from '../segment/point-id.js';
import type { VectorValue } from '../segment/vector-value.js';
import { formulaRescore } from './formula.js';
import { dbsf, rrf } from './fusion.js';
import { mmrSelect } from './mmr.js';
import type { QueryNode, QueryPlan, Scored, ScoringQuery } from './model.js';
import { resolveVectors, validateNode } from './resolve.js';
import { largerIsBetter, sample, scanTop, sparseOverlap, withinIds, withoutIds } from './scan.js';
import { averageVector, bestScore, contextScore, discoverScore, feedbackPairs, feedbackScore, sumScores } from './scoring.js';
import type { ReadOptions, SearchRequest } from '../collection/requests.js';
import type { QueryTarget, TargetResolver } from './target.js';

/**
 * Runs Query API plans, as Qdrant's planner does: leaves search, scroll or sample the collection;
 * an inner node merges its prefetches' results — fusion (rrf, dbsf), or rescoring the union of
 * their points with its own query (vector queries, order_by, sample) under its own filter.
 * Prefetch limits grow by the root offset so that paging does not lose points. Point ids used as
 * vectors are resolved first; those of this collection never appear in the results.
 */
export class QueryExecutor {
  constructor(private readonly targets: TargetResolver) {}

  /** Hits best first, `offset` skipped, at most `limit`. */
  run(target: QueryTarget, plan: QueryPlan): Scored[] {
    validateNode(plan);
    const { node, ownIds } = resolveVectors(target, plan, this.targets);
    const root: QueryNode<VectorValue> = { ...node };
    const filter = withoutIds(ownIds, node.filter);
    if (filter) root.filter = filter;
    return this.node(target, root, plan.offset).slice(plan.offset);
  }

  /** Runs a plan and reads payloads and vectors of its hits, in hit order (points deleted meanwhile are dropped). */
  runWithRecords(target: QueryTarget, plan: QueryPlan, selectors: ReadOptions): PointRecord[] {
    const nearest = this.fastNearest(target, plan, selectors);
    if (nearest) return nearest;
    return attachRecords(target, this.run(target, plan), selectors);
  }

  /**
   * `runWithRecords`, with the common case's graph search on the index's replica thread when the
   * target can do that (other cores work while the event loop serves other requests).
   */
  runWithRecordsAsync(target: QueryTarget, plan: QueryPlan, selectors: ReadOptions): PointRecord[] | Promise<PointRecord[]> {
    const request = this.nearestRequest(plan, selectors);
    if (request) return target.searchAsync?.(request) ?? target.search(request);
    return attachRecords(target, this.run(target, plan), selectors);
  }

  /** The common case — one nearest-neighbour search, no prefetch — straight through the index. */
  private fastNearest(target: QueryTarget, plan: QueryPlan, selectors: ReadOptions): PointRecord[] | undefined {
    const request = this.nearestRequest(plan, selectors);
    return request && target.search(request);
  }

  private nearestRequest(plan: QueryPlan, selectors: ReadOptions): SearchRequest | undefined {
    const q = plan.query;
    if (plan.prefetch.length > 0 || q?.type !== 'nearest' || q.mmr || q.vector.kind === 'id') return undefined;
    validateNode(plan);
    return {
      using: plan.using,
      vector: q.vector,
      limit: plan.limit,
      offset: plan.offset,
      ...selectors,
      ...(plan.filter ? { filter: plan.filter } : {}),
      ...(plan.scoreThreshold !== undefined ? { scoreThreshold: plan.scoreThreshold } : {}),
      ...(plan.params ? { params: plan.params } : {}),
    };
  }

  private node(target: QueryTarget, node: QueryNode<VectorValue>, offset: number): Scored[] {
    const take = node.limit + offset;
    if (node.prefetch.length === 0) return this.leaf(target, node, take);
    const sources = node.prefetch.map((p) => this.node(target, p, offset));
    const q = node.query!;
    if (q.type === 'formula') return formulaRescore(target, q.formula, sources, take, node.scoreThreshold);
    if (q.type === 'fusion') {
      const fused = q.method === 'rrf' ? rrf(sources, q.k, q.weights) : dbsf(sources);
      const kept = node.scoreThreshold === undefined ? fused : fused.filter((p) => p.score >= node.scoreThreshold!);
      return kept.slice(0, take);
    }
    const ids = new Map<string, PointId>();
    for (const source of sources) for (const p of source) ids.set(String(p.id), p.id);
    if (ids.size === 0) return [];
    return this.leaf(target, { ...node, filter: withinIds(ids.values(), node.filter) }, take, true);
  }

  /** A query over the collection (or, when rescoring, over the prefetched points the filter admits). */
  private leaf(target: QueryTarget, node: QueryNode<VectorValue>, take: number, rescoring = false): Scored[] {
    const q = node.query;
    if (!q) return target.scroll({ limit: take, ...filterOf(node.filter), withPayload: NONE, withVector: NO_VECTORS }).points.map((r) => ({ id: r.id, score: 0 }));
    switch (q.type) {
      case 'order_by':
        return target
          .scroll({ limit: take, orderBy: q.orderBy, ...filterOf(node.filter), withPayload: NONE, withVector: NO_VECTORS })
          .points.map((r) => ({ id: r.id, score: 0, ...(r.orderValue !== undefined ? { orderValue: r.orderValue } : {}) }));
      case 'sample':
        return sample(target, node.filter, take);
      case 'fusion':
      case 'formula':
        return [];
      case 'nearest':
        if (q.mmr) return mmrSelect(target, node, q.vector, q.mmr, take);
        return rescoring ? this.exactNearest(target, node, q.vector, take) : this.indexNearest(target, node, q.vector, take);
      case 'recommend':
        if (q.strategy === 'average_vector') {
          const avg = averageVector(q.positive.map((v) => target.preprocess(node.using, v)), q.negative.map((v) => target.preprocess(node.using, v)));
          return rescoring ? this.exactNearest(target, node, avg, take) : this.indexNearest(target, node, avg, take);
        }
        return this.custom(target, node, q, take);
      case 'discover':
      case 'context':
      case 'feedback':
        return this.custom(target, node, q, take);
    }
  }

  private indexNearest(target: QueryTarget, node: QueryNode<VectorValue>, vector: VectorValue, take: number): Scored[] {
    return target
      .search({
        using: node.using,
        vector,
        limit: take,
        withPayload: NONE,
        withVector: NO_VECTORS,
        ...filterOf(node.filter),
        ...(node.scoreThreshold !== undefined ? { scoreThreshold: node.scoreThreshold } : {}),
        ...(node.params ? { params: node.params } : {}),
      })
      .map((r) => ({ id: r.id, score: r.score ?? 0 }));
  }

  /** Exact nearest over the filter's candidates (rescoring prefetched points). */
  private exactNearest(target: QueryTarget, node: QueryNode<VectorValue>, vector: VectorValue, take: number): Scored[] {
    const query = target.preprocess(node.using, vector);
    const raw = scanTop(target, { using: node.using, filter: node.filter, limit: take, score: (stored) => (sparseOverlap(query, stored) ? target.score(node.using, query, stored) : undefined) });
    const larger = largerIsBetter(target, node.using);
    const out = raw.map((p) => ({ id: p.id, score: target.reportScore(node.using, p.score) }));
    const t = node.scoreThreshold;
    return t === undefined ? out : out.filter((p) => (larger ? p.score >= t : p.score <= t));
  }

  /** Custom-scored queries: recommend best_score / sum_scores, discover, context. */
  private custom(target: QueryTarget, node: QueryNode<VectorValue>, q: ScoringQuery<VectorValue>, take: number): Scored[] {
    const using = node.using;
    const prep = (v: VectorValue) => target.preprocess(using, v);
    let score: (stored: VectorValue) => number;
    if (q.type === 'recommend') {
      const pos = q.positive.map(prep);
      const neg = q.negative.map(prep);
      const combine = q.strategy === 'sum_scores' ? sumScores : bestScore;
      score = (stored) => combine(pos, neg, (v) => target.score(using, v, stored));
    } else if (q.type === 'discover') {
      const t = prep(q.target);
      const pairs = q.pairs.map((p) => ({ positive: prep(p.positive), negative: prep(p.negative) }));
      score = (stored) => discoverScore(t, pairs, (v) => target.score(using, v, stored));
    } else if (q.type === 'context') {
      const pairs = q.pairs.map((p) => ({ positive: prep(p.positive), negative: prep(p.negative) }));
      score = (stored) => contextScore(pairs, (v) => target.score(using, v, stored));
    } else if (q.type === 'feedback') {
      const t = prep(q.target);
      const pairs = feedbackPairs(
        q.feedback.map((item) => ({ example: prep(item.example), score: item.score })),
        q.b,
        q.c,
      );
      score = (stored) => feedbackScore(t, q.a, pairs, (v) => target.score(using, v, stored));
    } else {
      return [];
    }
    const hits = scanTop(target, { using, filter: node.filter, limit: take, score });
    const t = node.scoreThreshold;
    return t === undefined ? hits : hits.filter((p) => p.score >= t);
  }
}

const NONE = { kind: 'none' } as const;
const NO_VECTORS = { kind: 'none' } as const;

function filterOf(filter: Filter | undefined): { filter?: Filter } {
  return filter ? { filter } : {};
}

/** Payloads and vectors for hits, in hit order; hits whose point is gone are dropped. */
export function attachRecords(target: QueryTarget, hits: Scored[], selectors: ReadOptions): PointRecord[] {
  const records = new Map<string, PointRecord>();
  for (const r of target.retrieve(
    hits.map((h) => h.id),
    selectors,
  ))
    records.set(String(r.id), r);
  const out: PointRecord[] = [];
  for (const h of hits) {
    const r = records.get(String(h.id));
    if (!r) continue;
    out.push({ ...r, score: h.score, ...(h.orderValue !== undefined ? { orderValue: h.orderValue } : {}) });
  }
  return out;
}
