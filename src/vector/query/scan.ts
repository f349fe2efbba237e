import { vectorSpecs } from '../collection/config.js';
import { TopK, type Candidate } from '../index/top-k.js';
import type { Filter } from '../segment/filter.js';
import { comparePointIds, pointIdKey, type PointId } from '../segment/point-id.js';
import type { VectorValue } from '../segment/vector-value.js';
import type { Scored } from './model.js';
import type { QueryTarget } from './target.js';

/**
 * Exact scans over a collection's candidates: custom scores (recommend best_score/sum_scores,
 * discover, context), rescoring of prefetched points, and random samples.
 */

/** Restricts a filter to a set of ids (the has_id condition first, so it is checked first). */
export function withinIds(ids: Iterable<PointId>, filter: Filter | undefined): Filter {
  const keys = new Set<string>();
  for (const id of ids) keys.add(pointIdKey(id));
  return { must: [{ type: 'has_id', keys }, ...(filter ? [{ type: 'filter' as const, filter }] : [])] };
}

/** Excludes a set of ids from a filter. */
export function withoutIds(ids: ReadonlyArray<PointId>, filter: Filter | undefined): Filter | undefined {
  if (ids.length === 0) return filter;
  const exclusion = { type: 'has_id' as const, keys: new Set(ids.map(pointIdKey)) };
  return { ...(filter ?? {}), mustNot: [...(filter?.mustNot ?? []), exclusion] };
}

export interface ScanRequest {
  using: string;
  filter: Filter | undefined;
  /** Score of a stored vector, larger is better; undefined skips the point. */
  score: (stored: VectorValue) => number | undefined;
  limit: number;
}

/** The `limit` best candidates by `score`, best first; equal scores rank by id. */
export function scanTop(target: QueryTarget, request: ScanRequest): Scored[] {
  if (request.limit <= 0) return [];
  const ids = new Map<number, PointId>();
  const idOf = (slot: number): PointId => {
    let id = ids.get(slot);
    if (id === undefined) {
      id = target.idAt(slot);
      ids.set(slot, id);
    }
    return id;
  };
  const better = (a: Candidate, b: Candidate) => a.score > b.score || (a.score === b.score && comparePointIds(idOf(a.slot), idOf(b.slot)) < 0);
  const top = new TopK(request.limit, better);
  target.forEachCandidate(request.filter, (slot) => {
    const stored = target.vectorAt(slot, request.using);
    if (!stored) return;
    const score = request.score(stored);
    if (score === undefined || Number.isNaN(score)) return;
    if (top.wouldKeep(slot, score)) top.offer(slot, score);
  });
  return top.sorted().map((c) => ({ id: idOf(c.slot), score: c.score }));
}

/** Up to `limit` random points matching the filter (reservoir sampling), in random order. */
export function sample(target: QueryTarget, filter: Filter | undefined, limit: number): Scored[] {
  const reservoir: number[] = [];
  let seen = 0;
  target.forEachCandidate(filter, (slot) => {
    seen++;
    if (reservoir.length < limit) reservoir.push(slot);
    else {
      const j = Math.floor(Math.random() * seen);
      if (j < limit) reservoir[j] = slot;
    }
  });
  for (let i = reservoir.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [reservoir[i], reservoir[j]] = [reservoir[j]!, reservoir[i]!];
  }
  return reservoir.map((slot) => ({ id: target.idAt(slot), score: 0 }));
}

/** Whether larger reported nearest-neighbour scores are better for a vector name (not for Euclid/Manhattan). */
export function largerIsBetter(target: QueryTarget, using: string): boolean {
  const distance = vectorSpecs(target.config).get(using)?.distance;
  return distance !== 'Euclid' && distance !== 'Manhattan';
}

/** True when a sparse query and a stored sparse vector share at least one index. */
export function sparseOverlap(query: VectorValue, stored: VectorValue): boolean {
  if (query.kind !== 'sparse' || stored.kind !== 'sparse') return true;
  let i = 0;
  let j = 0;
  while (i < query.indices.length && j < stored.indices.length) {
    const a = query.indices[i]!;
    const b = stored.indices[j]!;
    if (a === b) return true;
    if (a < b) i++;
    else j++;
  }
  return false;
}
