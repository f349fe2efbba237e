/**
 * Test data and a brute-force reference for the vector integration tests: points with payloads
 * (`city`, integer `n`, `tags` array), integer and UUID ids, and the exact top-k computed here the
 * way Qdrant defines its scores (Cosine on unit vectors stored as f32; Euclid/Manhattan report the
 * distance and rank ascending; equal scores rank by id, integers before UUIDs).
 */
import { seededRandom } from './harness.js';

export type Distance = 'Cosine' | 'Dot' | 'Euclid' | 'Manhattan';
export type Id = number | string;

export interface TestPoint {
  id: Id;
  vector: Float32Array;
  payload: { city: string; n: number; tags: string[] };
}

export const CITIES = ['Berlin', 'Paris', 'Oslo', 'Rome', 'Lisbon'];
export const TAGS = ['red', 'green', 'blue', 'big', 'small'];

export function makePoints(seed: number, count: number, dim: number): TestPoint[] {
  const rand = seededRandom(seed);
  const hex = () => Math.floor(rand() * 16).toString(16);
  const points: TestPoint[] = [];
  for (let i = 0; i < count; i++) {
    // Most ids are integers (not in insertion order); the last fifth are UUIDs.
    const id: Id =
      i < count * 0.8
        ? (i * 7919) % 100_000
        : [8, 4, 4, 4, 12].map((n) => Array.from({ length: n }, hex).join('')).join('-');
    const vector = new Float32Array(dim);
    for (let d = 0; d < dim; d++) vector[d] = rand() * 2 - 1;
    const tags = TAGS.filter(() => rand() < 0.35);
    points.push({ id, vector, payload: { city: CITIES[Math.floor(rand() * CITIES.length)]!, n: Math.floor(rand() * 100), tags } });
  }
  return points;
}

export function randomVector(rand: () => number, dim: number): number[] {
  return Array.from({ length: dim }, () => Math.fround(rand() * 2 - 1));
}

export function compareIds(a: Id, b: Id): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function unit(v: Float32Array): Float32Array {
  let s = 0;
  for (const x of v) s += x * x;
  const len = Math.sqrt(s);
  return len === 0 ? v : Float32Array.from(v, (x) => x / len);
}

/** Larger is better. */
function rawScore(distance: Distance, q: Float32Array, v: Float32Array): number {
  let acc = 0;
  for (let i = 0; i < q.length; i++) {
    if (distance === 'Cosine' || distance === 'Dot') acc += q[i]! * v[i]!;
    else if (distance === 'Euclid') acc -= (q[i]! - v[i]!) ** 2;
    else acc -= Math.abs(q[i]! - v[i]!);
  }
  return Math.fround(acc);
}

function reported(distance: Distance, raw: number): number {
  if (distance === 'Euclid') return Math.sqrt(-raw);
  if (distance === 'Manhattan') return -raw;
  return raw;
}

export function bruteTopK(distance: Distance, points: TestPoint[], query: number[], keep: (p: TestPoint) => boolean, k = 10): Array<{ id: Id; score: number }> {
  const q = distance === 'Cosine' ? unit(Float32Array.from(query)) : Float32Array.from(query);
  return points
    .filter(keep)
    .map((p) => ({ id: p.id, raw: rawScore(distance, q, distance === 'Cosine' ? unit(p.vector) : p.vector) }))
    .sort((a, b) => b.raw - a.raw || compareIds(a.id, b.id))
    .slice(0, k)
    .map((s) => ({ id: s.id, score: reported(distance, s.raw) }));
}

/** Filters as users send them, with the same meaning as a predicate. */
export const FILTERS: Array<{ name: string; filter?: object; keep: (p: TestPoint) => boolean }> = [
  { name: 'no filter', keep: () => true },
  { name: 'city is Paris', filter: { must: [{ key: 'city', match: { value: 'Paris' } }] }, keep: (p) => p.payload.city === 'Paris' },
  {
    name: '20 <= n < 60 and not tagged red',
    filter: { must: [{ key: 'n', range: { gte: 20, lt: 60 } }], must_not: [{ key: 'tags', match: { any: ['red'] } }] },
    keep: (p) => p.payload.n >= 20 && p.payload.n < 60 && !p.payload.tags.includes('red'),
  },
  {
    name: 'Oslo or Rome, or tagged big',
    filter: { should: [{ key: 'city', match: { any: ['Oslo', 'Rome'] } }, { key: 'tags', match: { value: 'big' } }] },
    keep: (p) => p.payload.city === 'Oslo' || p.payload.city === 'Rome' || p.payload.tags.includes('big'),
  },
  {
    name: 'nested: (Berlin and n > 50) or except Berlin/Paris/Oslo',
    filter: { should: [{ must: [{ key: 'city', match: { value: 'Berlin' } }, { key: 'n', range: { gt: 50 } }] }, { key: 'city', match: { except: ['Berlin', 'Paris', 'Oslo'] } }] },
    keep: (p) => (p.payload.city === 'Berlin' && p.payload.n > 50) || !['Berlin', 'Paris', 'Oslo'].includes(p.payload.city),
  },
];
