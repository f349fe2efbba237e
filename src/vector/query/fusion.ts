import { ValidationError } from '../errors.js';
import { comparePointIds, pointIdKey } from '../segment/point-id.js';
import type { Scored } from './model.js';

/**
 * Fusion of prefetch results, as Qdrant does it. Reciprocal rank fusion: a point at 0-based
 * position p of a source with weight w scores `1 / ((p + 1) / w + k − 1)`, summed over sources.
 * Distribution-based score fusion: each source's scores are normalised to [0, 1] between
 * mean ± 3σ (σ from the sample variance), then summed. Best first; ties by id.
 */
export function rrf(sources: Scored[][], k: number, weights?: number[]): Scored[] {
  if (weights && weights.length !== sources.length) {
    throw new ValidationError([{ field: 'query.rrf.weights', message: `Number of weights in RRF should match number of pre-fetches: got ${weights.length}, expected ${sources.length}` }]);
  }
  const fused = new Map<string, Scored>();
  sources.forEach((source, s) => {
    const weight = weights?.[s] ?? 1;
    source.forEach((point, position) => {
      const score = weight <= 0 ? 0 : Math.fround(1 / ((position + 1) / weight + k - 1));
      add(fused, point, score);
    });
  });
  return sortFused(fused);
}

export function dbsf(sources: Scored[][]): Scored[] {
  const fused = new Map<string, Scored>();
  for (const source of sources) {
    const normalised = distributionNormalise(source.map((p) => p.score));
    source.forEach((point, i) => add(fused, point, normalised[i]!));
  }
  return sortFused(fused);
}

function add(fused: Map<string, Scored>, point: Scored, score: number): void {
  const key = pointIdKey(point.id);
  const seen = fused.get(key);
  if (seen) seen.score = Math.fround(seen.score + score);
  else fused.set(key, { id: point.id, score });
}

function sortFused(fused: Map<string, Scored>): Scored[] {
  return [...fused.values()].sort((a, b) => b.score - a.score || comparePointIds(a.id, b.id));
}

function distributionNormalise(scores: number[]): number[] {
  if (scores.length === 0) return [];
  if (scores.length === 1) return [0.5];
  // Welford's mean and sample variance.
  let mean = 0;
  let aggregate = 0;
  scores.forEach((s, i) => {
    const before = s - mean;
    mean += before / (i + 1);
    aggregate += before * (s - mean);
  });
  const std = Math.sqrt(aggregate / (scores.length - 1));
  const min = mean - 3 * std;
  const max = mean + 3 * std;
  if (min === max) return scores.map(() => 0.5);
  return scores.map((s) => Math.fround((s - min) / (max - min)));
}
