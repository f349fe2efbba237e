import { BadRequestError, WrongInputError } from '../errors.js';
import { sparse, type VectorValue } from '../segment/vector-value.js';
import type { ContextPair } from './model.js';

/**
 * Scores of custom queries the way Qdrant computes them, from raw similarities ("larger is
 * better": Cosine/Dot the dot product, Euclid minus the squared distance, Manhattan minus the L1
 * distance, sparse the dot product over shared indices, multivectors MaxSim) that the collection
 * computes. Custom scores are reported as they are (no distance post-processing).
 */

/** f32::EPSILON, used by the context score. */
const EPSILON = 1.1920929e-7;

export function fastSigmoid(x: number): number {
  return Number.isFinite(x) ? x / (1 + Math.abs(x)) : x;
}

export function scaledFastSigmoid(x: number): number {
  return Number.isFinite(x) ? 0.5 * (x / (1 + Math.abs(x)) + 1) : x;
}

type Sim<V> = (v: V) => number;

/** `best_score`: the best positive, squashed into (0, 1), unless a negative is closer (then negative). */
export function bestScore<V>(positive: V[], negative: V[], sim: Sim<V>): number {
  let pos = -Infinity;
  for (const p of positive) pos = Math.max(pos, sim(p));
  let neg = -Infinity;
  for (const n of negative) neg = Math.max(neg, sim(n));
  return Math.fround(pos > neg ? scaledFastSigmoid(pos) : -scaledFastSigmoid(neg));
}

/** `sum_scores`: similarities to positives summed, minus similarities to negatives. */
export function sumScores<V>(positive: V[], negative: V[], sim: Sim<V>): number {
  let sum = 0;
  for (const p of positive) sum += sim(p);
  for (const n of negative) sum -= sim(n);
  return Math.fround(sum);
}

/** Discovery: +1 per pair whose positive is closer, −1 per pair whose negative is, plus the squashed target similarity. */
export function discoverScore<V>(target: V, pairs: Array<ContextPair<V>>, sim: Sim<V>): number {
  let rank = 0;
  for (const pair of pairs) {
    const pos = sim(pair.positive);
    const neg = sim(pair.negative);
    rank += pos > neg ? 1 : pos === neg ? 0 : -1;
  }
  return Math.fround(rank + scaledFastSigmoid(sim(target)));
}

/** Context: 0 for points on the positive side of every pair, a negative penalty otherwise. */
export function contextScore<V>(pairs: Array<ContextPair<V>>, sim: Sim<V>): number {
  let sum = 0;
  for (const pair of pairs) sum += fastSigmoid(Math.min(sim(pair.positive) - sim(pair.negative) - EPSILON, 0));
  return Math.fround(sum);
}

/**
 * Relevance feedback, naive strategy: `a·sim(target) + Σ (Δscore)^b · c · (sim(better) − sim(worse))`
 * over every ordered pair of feedback examples whose feedback scores differ (better first).
 */
export function feedbackPairs<V>(feedback: Array<{ example: V; score: number }>, b: number, c: number): Array<{ positive: V; negative: V; weight: number }> {
  const pairs: Array<{ positive: V; negative: V; weight: number }> = [];
  for (const p of feedback) {
    for (const n of feedback) {
      if (p === n) continue;
      const confidence = p.score - n.score;
      if (confidence <= 0) continue;
      pairs.push({ positive: p.example, negative: n.example, weight: Math.fround(confidence ** b * c) });
    }
  }
  return pairs;
}

export function feedbackScore<V>(target: V, a: number, pairs: Array<{ positive: V; negative: V; weight: number }>, sim: Sim<V>): number {
  let score = a * sim(target);
  for (const pair of pairs) score += pair.weight * (sim(pair.positive) - sim(pair.negative));
  return Math.fround(score);
}

/** `average_vector`: mean of positives, pushed away from the mean of negatives (2·pos − neg). */
export function averageVector(positive: VectorValue[], negative: VectorValue[]): VectorValue {
  if (positive.length === 0) throw new BadRequestError('At least one positive vector ID required with this strategy', 'VECTOR_RECOMMEND');
  const kind = positive[0]!.kind;
  if ([...positive, ...negative].some((v) => v.kind !== kind)) throw new WrongInputError('Vector type mismatch in recommendation examples', 'VECTOR_KIND');
  if (kind === 'dense') {
    const pos = meanDense(positive.map((v) => (v as { values: Float32Array }).values));
    if (negative.length === 0) return { kind: 'dense', values: pos };
    const neg = meanDense(negative.map((v) => (v as { values: Float32Array }).values));
    return { kind: 'dense', values: pos.map((p, i) => p + p - neg[i]!) };
  }
  if (kind === 'sparse') {
    const pos = meanSparse(positive as SparseValue[]);
    if (negative.length === 0) return toSparse(pos);
    const neg = meanSparse(negative as SparseValue[]);
    const merged = new Map<number, number>();
    for (const [i, v] of pos) merged.set(i, 2 * v);
    for (const [i, v] of neg) merged.set(i, (merged.get(i) ?? 0) - v);
    return toSparse(merged);
  }
  throw new BadRequestError('The average_vector strategy is not supported for multivectors, use best_score or sum_scores', 'VECTOR_RECOMMEND');
}

type SparseValue = Extract<VectorValue, { kind: 'sparse' }>;

function meanDense(vectors: Float32Array[]): Float32Array {
  const dim = Math.max(...vectors.map((v) => v.length));
  const out = new Float32Array(dim);
  for (const v of vectors) for (let i = 0; i < v.length; i++) out[i]! += v[i]!;
  for (let i = 0; i < dim; i++) out[i]! /= vectors.length;
  return out;
}

function meanSparse(vectors: SparseValue[]): Map<number, number> {
  const sum = new Map<number, number>();
  for (const v of vectors) v.indices.forEach((i, k) => sum.set(i, (sum.get(i) ?? 0) + v.values[k]!));
  for (const [i, s] of sum) sum.set(i, s / vectors.length);
  return sum;
}

function toSparse(map: Map<number, number>): VectorValue {
  const indices = [...map.keys()].sort((a, b) => a - b);
  return sparse(indices, indices.map((i) => map.get(i)!));
}
