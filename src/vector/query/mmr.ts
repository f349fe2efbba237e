import type { VectorValue } from '../segment/vector-value.js';
import type { QueryNode, Scored } from './model.js';
import type { QueryTarget } from './target.js';

/**
 * Maximal Marginal Relevance re-ranking of a nearest-neighbour search, as Qdrant does it: take
 * `candidatesLimit` nearest points (default: the limit), start from the most relevant one, then
 * repeatedly pick the point maximising `λ·relevance − (1 − λ)·max similarity to the picked ones`
 * with `λ = 1 − diversity` (default diversity 0.5). Points keep their original (search) scores.
 */
export function mmrSelect(target: QueryTarget, node: QueryNode<VectorValue>, vector: VectorValue, mmr: { diversity: number; candidatesLimit?: number }, take: number): Scored[] {
  const using = node.using;
  const found = target.search({
    using,
    vector,
    limit: Math.max(mmr.candidatesLimit ?? take, 0),
    withPayload: { kind: 'none' },
    withVector: { kind: 'none' },
    ...(node.filter ? { filter: node.filter } : {}),
    ...(node.scoreThreshold !== undefined ? { scoreThreshold: node.scoreThreshold } : {}),
    ...(node.params ? { params: node.params } : {}),
  });
  const candidates: Array<{ hit: Scored; vector: VectorValue }> = [];
  for (const r of found) {
    const v = target.vectorOf(r.id, using);
    if (v) candidates.push({ hit: { id: r.id, score: r.score ?? 0 }, vector: v });
  }
  if (candidates.length < 2) return candidates.slice(0, take).map((c) => c.hit);
  const query = target.preprocess(using, vector);
  const relevance = candidates.map((c) => target.score(using, query, c.vector));
  const lambda = 1 - mmr.diversity;
  const similarity = new Map<number, number>();
  const sim = (a: number, b: number): number => {
    const key = a < b ? a * candidates.length + b : b * candidates.length + a;
    let s = similarity.get(key);
    if (s === undefined) {
      s = target.score(using, candidates[a]!.vector, candidates[b]!.vector);
      similarity.set(key, s);
    }
    return s;
  };
  const remaining = new Set(candidates.map((_, i) => i));
  const picked: number[] = [];
  let first = 0;
  for (let i = 1; i < candidates.length; i++) if (relevance[i]! > relevance[first]!) first = i;
  picked.push(first);
  remaining.delete(first);
  while (picked.length < take && remaining.size > 0) {
    let best = -1;
    let bestScore = -Infinity;
    for (const i of remaining) {
      let maxSim = -Infinity;
      for (const j of picked) maxSim = Math.max(maxSim, sim(i, j));
      const score = lambda * relevance[i]! - (1 - lambda) * maxSim;
      if (score > bestScore) {
        bestScore = score;
        best = i;
      }
    }
    if (best < 0) break;
    picked.push(best);
    remaining.delete(best);
  }
  return picked.map((i) => candidates[i]!.hit);
}
