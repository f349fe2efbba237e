/**
 * Distance functions, scored the way Qdrant scores them. Internally every metric is a similarity
 * where larger is better: Cosine and Dot are the dot product (Cosine on vectors normalised when they
 * are written and when they are queried), Euclid is minus the squared distance, Manhattan minus the
 * L1 distance. Reported scores are post-processed like Qdrant's: Euclid and Manhattan report the
 * distance itself, and their results come in ascending order (smaller is better).
 */
export type Distance = 'Cosine' | 'Euclid' | 'Dot' | 'Manhattan';

export const DISTANCES: readonly Distance[] = ['Cosine', 'Euclid', 'Dot', 'Manhattan'];

/** Transformation applied before storing or querying a vector: Cosine normalises to unit length. */
export function preprocess(distance: Distance, vector: Float32Array): Float32Array {
  if (distance !== 'Cosine') return vector;
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += vector[i]! * vector[i]!;
  const length = Math.sqrt(sum);
  if (length < 1.1920929e-7) return vector; // f32::EPSILON: leave (near) zero vectors as they are
  const out = new Float32Array(vector.length);
  for (let i = 0; i < vector.length; i++) out[i] = vector[i]! / length;
  return out;
}

/** Raw similarity (larger is better) of `query` and the vector stored at `data[offset…offset+dim)`. */
export function similarity(distance: Distance, query: Float32Array, data: Float32Array, offset: number): number {
  const dim = query.length;
  let acc = 0;
  switch (distance) {
    case 'Cosine':
    case 'Dot':
      for (let i = 0; i < dim; i++) acc += query[i]! * data[offset + i]!;
      return acc;
    case 'Euclid':
      for (let i = 0; i < dim; i++) {
        const d = query[i]! - data[offset + i]!;
        acc += d * d;
      }
      return -acc;
    case 'Manhattan':
      for (let i = 0; i < dim; i++) acc += Math.abs(query[i]! - data[offset + i]!);
      return -acc;
    default:
      return assertNever(distance);
  }
}

/** The score reported to users for a raw similarity (rounded to f32 like Qdrant's). */
export function postprocess(distance: Distance, raw: number): number {
  switch (distance) {
    case 'Cosine':
    case 'Dot':
      return Math.fround(raw);
    case 'Euclid':
      return Math.fround(Math.sqrt(Math.abs(raw)));
    case 'Manhattan':
      return Math.fround(Math.abs(raw));
    default:
      return assertNever(distance);
  }
}

/** True when larger reported scores are better (Cosine, Dot). */
export function largerIsBetter(distance: Distance): boolean {
  return distance === 'Cosine' || distance === 'Dot';
}

/**
 * Whether a reported score passes `score_threshold`: at least the threshold for Cosine/Dot, at most
 * the threshold for Euclid/Manhattan (the threshold is a distance there).
 */
export function passesThreshold(distance: Distance, score: number, threshold: number): boolean {
  return largerIsBetter(distance) ? score >= threshold : score <= threshold;
}

function assertNever(x: never): never {
  throw new Error(`unknown distance ${String(x)}`);
}
