import type { Filter } from '../segment/filter.js';
import { comparePointIds, type PointId } from '../segment/point-id.js';
import type { VectorValue } from '../segment/vector-value.js';
import { sample } from './scan.js';
import type { QueryTarget } from './target.js';

/**
 * The distance matrix (`/points/search/matrix/pairs|offsets`), as Qdrant builds it: sample up to
 * `sample` random points that match the filter and have the vector, order them by id, and for
 * each find its `limit` nearest among the sample (itself excluded), scored like a search.
 */
export interface MatrixRequest {
  using: string;
  filter?: Filter;
  sample: number;
  limit: number;
}

export interface Matrix {
  ids: PointId[];
  /** For each sampled point (same order as `ids`), its nearest: index into `ids` and score. */
  nearest: Array<Array<{ index: number; score: number }>>;
}

export function distanceMatrix(target: QueryTarget, request: MatrixRequest): Matrix {
  const hasVector: Filter = { must: [{ type: 'has_vector', name: request.using }, ...(request.filter ? [{ type: 'filter' as const, filter: request.filter }] : [])] };
  const sampled = sample(target, hasVector, request.sample)
    .map((s) => ({ id: s.id, vector: target.vectorOf(s.id, request.using) }))
    .filter((s): s is { id: PointId; vector: VectorValue } => s.vector !== undefined);
  if (sampled.length < 2) return { ids: [], nearest: [] };
  sampled.sort((a, b) => comparePointIds(a.id, b.id));
  const nearest = sampled.map((a, i) => {
    const scored = sampled
      .map((b, j) => ({ index: j, raw: j === i ? -Infinity : target.score(request.using, a.vector, b.vector) }))
      .filter((s) => s.index !== i)
      .sort((x, y) => y.raw - x.raw || comparePointIds(sampled[x.index]!.id, sampled[y.index]!.id))
      .slice(0, request.limit);
    return scored.map((s) => ({ index: s.index, score: target.reportScore(request.using, s.raw) }));
  });
  return { ids: sampled.map((s) => s.id), nearest };
}
