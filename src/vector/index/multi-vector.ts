import { similarity, type Distance } from './distance.js';

/**
 * Late-interaction score of multivectors (`max_sim`): for each query vector, the best similarity
 * among the stored vectors, summed. Similarities are the metric's raw ones (larger is better).
 */
export function maxSim(distance: Distance, query: readonly Float32Array[], stored: readonly Float32Array[]): number {
  let sum = 0;
  for (const q of query) {
    let best = -Infinity;
    for (const d of stored) {
      const s = similarity(distance, q, d, 0);
      if (s > best) best = s;
    }
    if (best > -Infinity) sum += best;
  }
  return sum;
}
