import { test } from 'node:test';
import assert from 'node:assert/strict';
import { largerIsBetter, passesThreshold, postprocess, preprocess, similarity, type Distance } from './distance.js';
import { DenseIndex } from './dense-index.js';
import { IdTracker } from '../segment/id-tracker.js';
import { DenseVectorStorage } from '../segment/vector-storage.js';

const f = (...xs: number[]) => Float32Array.from(xs);

function score(distance: Distance, a: Float32Array, b: Float32Array): number {
  return postprocess(distance, similarity(distance, preprocess(distance, a), preprocess(distance, b), 0));
}

const cases: Array<{ distance: Distance; a: number[]; b: number[]; expected: number }> = [
  { distance: 'Cosine', a: [1, 0], b: [0, 1], expected: 0 },
  { distance: 'Cosine', a: [3, 4], b: [6, 8], expected: 1 },
  { distance: 'Cosine', a: [1, 0], b: [-2, 0], expected: -1 },
  { distance: 'Cosine', a: [1, 1], b: [1, 0], expected: Math.SQRT1_2 },
  { distance: 'Dot', a: [1, 2, 3], b: [4, 5, 6], expected: 32 },
  { distance: 'Dot', a: [3, 4], b: [6, 8], expected: 50 },
  { distance: 'Euclid', a: [0, 0], b: [3, 4], expected: 5 },
  { distance: 'Euclid', a: [1, 1], b: [1, 1], expected: 0 },
  { distance: 'Manhattan', a: [0, 0], b: [3, -4], expected: 7 },
  { distance: 'Manhattan', a: [1, 2, 3], b: [1, 2, 3], expected: 0 },
];

for (const c of cases) {
  test(`${c.distance}(${c.a}, ${c.b}) reports ${c.expected}`, () => {
    assert.ok(Math.abs(score(c.distance, f(...c.a), f(...c.b)) - c.expected) < 1e-6);
  });
}

test('Cosine normalises vectors to unit length on write; other distances keep them', () => {
  const n = preprocess('Cosine', f(3, 4));
  assert.deepEqual([...n], [Math.fround(0.6), Math.fround(0.8)]);
  assert.deepEqual([...preprocess('Cosine', f(0, 0))], [0, 0], 'a zero vector stays as it is');
  for (const d of ['Dot', 'Euclid', 'Manhattan'] as const) assert.deepEqual([...preprocess(d, f(3, 4))], [3, 4]);
});

test('Euclid and Manhattan order ascending (smaller is better); Cosine and Dot descending', () => {
  assert.equal(largerIsBetter('Cosine'), true);
  assert.equal(largerIsBetter('Dot'), true);
  assert.equal(largerIsBetter('Euclid'), false);
  assert.equal(largerIsBetter('Manhattan'), false);
  assert.equal(passesThreshold('Cosine', 0.8, 0.5), true);
  assert.equal(passesThreshold('Cosine', 0.4, 0.5), false);
  assert.equal(passesThreshold('Euclid', 0.4, 0.5), true);
  assert.equal(passesThreshold('Euclid', 0.8, 0.5), false);
});

/** A dense index over the vectors (ids = slot + 100), searched exactly. */
function indexOf(distance: Distance, vectors: number[][]) {
  const storage = new DenseVectorStorage(vectors[0]!.length);
  const ids = new IdTracker();
  vectors.forEach((v, slot) => {
    ids.assign(slot + 100);
    storage.set(slot, preprocess(distance, Float32Array.from(v)), 1);
  });
  const params = { m: 16, efConstruct: 100, fullScanThresholdKb: 10000, indexingThresholdKb: 0, deletedThreshold: 0.2, vacuumMinVectors: 1000 };
  return new DenseIndex('', storage, distance, params, ids, '/nonexistent');
}

test('exact search returns the best first for every distance, ties by id; a filter check applies', () => {
  const vectors = [
    [0, 0],
    [1, 0],
    [2, 0],
    [5, 5],
    [1, 0],
  ];
  const q = f(0.9, 0);
  const expectOrder: Record<Distance, number[]> = {
    Euclid: [1, 4, 0, 2, 3],
    Manhattan: [1, 4, 0, 2, 3],
    Dot: [3, 2, 1, 4, 0],
    Cosine: [1, 2, 4, 3, 0],
  };
  for (const d of ['Euclid', 'Manhattan', 'Dot', 'Cosine'] as const) {
    const hits = indexOf(d, vectors).exact(preprocess(d, q), 5, undefined);
    assert.deepEqual(
      hits.map((h) => h.slot),
      expectOrder[d],
      d,
    );
    const scores = hits.map((h) => postprocess(d, h.score));
    assert.deepEqual(
      scores.filter((s) => passesThreshold(d, s, largerIsBetter(d) ? 0.5 : 1)).length,
      { Euclid: 3, Manhattan: 3, Dot: 4, Cosine: 4 }[d],
      `${d}: threshold`,
    );
  }
  const filtered = indexOf('Dot', vectors).exact(q, 2, { estimate: 4, check: (s) => s !== 3 });
  assert.deepEqual(
    filtered.map((h) => h.slot),
    [2, 1],
  );
});
