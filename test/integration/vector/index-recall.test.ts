/**
 * Property tests of the vector index against exact search on random data (issue 3, Done-when 1):
 * the HNSW graph (incrementally built, with deletes and updates along the way) keeps mean
 * recall@10 high, and filtered search keeps it high at every selectivity — small filtered sets
 * are scanned exactly, larger ones searched in the graph with the filter applied during traversal.
 * Bounds, not equality: the graph is approximate.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { VectorStore } from '../../../src/vector/collection/store.js';
import type { CollectionConfig } from '../../../src/vector/collection/config.js';
import type { Distance } from '../../../src/vector/index/distance.js';
import { parseBody } from '../../../src/vector/api/body.js';
import { filterSchema } from '../../../src/vector/api/schemas/filter.js';
import { toFilter } from '../../../src/vector/api/convert/filter.js';
import { dense } from '../../../src/vector/segment/vector-value.js';
import { seededRandom } from './harness.js';

const none = { withPayload: { kind: 'none' }, withVector: { kind: 'none' } } as const;

function configOf(dim: number, distance: Distance): CollectionConfig {
  return {
    vectors: { kind: 'single', spec: { size: dim, distance, extra: {} } },
    options: {
      params: {},
      // A small graph and the smallest thresholds Qdrant accepts, so even small sets use the graph
      // and recall is not trivially 1.
      hnsw_config: { m: 8, ef_construct: 32, full_scan_threshold: 10 },
      optimizer_config: { indexing_threshold: 1 },
      wal_config: {},
      quantization_config: null,
      strict_mode_config: {},
    },
  };
}

/**
 * Clustered data: points around 64 random centres (fixed by `seed`); `stream` draws another
 * sample of the same distribution (queries and updates come from it, like real traffic).
 */
function dataset(seed: number, n: number, dim: number, stream = 0): Float32Array[] {
  const random = seededRandom(seed);
  const centres = Array.from({ length: 64 }, () => Float32Array.from({ length: dim }, () => random() * 2 - 1));
  const sample = stream === 0 ? random : seededRandom(seed * 31 + stream);
  return Array.from({ length: n }, () => {
    const c = centres[Math.floor(sample() * centres.length)]!;
    return Float32Array.from(c, (x) => x + (sample() - 0.5) * 1.6);
  });
}

async function withStore(fn: (store: VectorStore) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'phoenix-recall-'));
  const store = VectorStore.openDir(dir);
  try {
    await fn(store);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

let collections = 0;

test('HNSW search keeps mean recall@10 ≥ 0.9 against exact search, after deletes and updates too', async () => {
  await withStore(async (store) => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({ seed: fc.integer(), n: fc.integer({ min: 800, max: 2500 }), dim: fc.integer({ min: 4, max: 48 }), distance: fc.constantFrom<Distance>('Cosine', 'Dot', 'Euclid') }),
        async ({ seed, n, dim, distance }) => {
          const c = store.createCollection(`r${collections++}`, configOf(dim, distance));
          const vectors = dataset(seed, n, dim);
          for (let i = 0; i < n; i += 250) {
            await c.update({ type: 'upsert', points: vectors.slice(i, i + 250).map((v, j) => ({ id: i + j, vectors: new Map([['', dense(v)]]), payload: {} })) });
          }
          // Deletes and updates keep the graph consistent.
          await c.update({ type: 'delete', selection: { kind: 'ids', ids: Array.from({ length: Math.floor(n / 10) }, (_, k) => k * 7) } });
          const moved = dataset(seed, 50, dim, 1);
          await c.update({ type: 'upsert', points: moved.map((v, k) => ({ id: k * 7 + 1, vectors: new Map([['', dense(v)]]), payload: {} })) }, { wait: true });
          assert.equal(c.info().indexedVectorsCount, c.count(), 'every stored vector is in the graph');

          const queries = dataset(seed, 40, dim, 2);
          let found = 0;
          let wanted = 0;
          for (const q of queries) {
            const exact = c.search({ using: '', vector: dense(q), limit: 10, params: { exact: true }, ...none }).map((p) => p.id);
            const approx = new Set(c.search({ using: '', vector: dense(q), limit: 10, params: { hnswEf: 16 }, ...none }).map((p) => p.id));
            wanted += exact.length;
            found += exact.filter((id) => approx.has(id)).length;
          }
          const recall = found / wanted;
          assert.ok(recall >= 0.9, `recall@10 ${recall.toFixed(3)} (n=${n}, dim=${dim}, ${distance})`);
          store.deleteCollection(c.name);
        },
      ),
      { numRuns: 8 },
    );
  });
});

test('filtered search keeps mean recall@10 ≥ 0.9 at every selectivity (exact below the threshold, graph above)', async () => {
  await withStore(async (store) => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({ seed: fc.integer(), n: fc.integer({ min: 1500, max: 3000 }), dim: fc.integer({ min: 8, max: 32 }), indexed: fc.boolean() }),
        async ({ seed, n, dim, indexed }) => {
          const c = store.createCollection(`f${collections++}`, configOf(dim, 'Cosine'));
          const vectors = dataset(seed, n, dim);
          await c.update({ type: 'upsert', points: vectors.map((v, id) => ({ id, vectors: new Map([['', dense(v)]]), payload: { bucket: id % 100, tag: id % 3 === 0 ? 'a' : 'b' } })) }, { wait: true });
          if (indexed) await c.update({ type: 'create_payload_index', field: 'bucket', schema: { type: 'integer' } }, { wait: true });
          const queries = dataset(seed, 25, dim, 3);
          for (const [below, extra] of [
            [1, undefined],
            [10, undefined],
            [50, undefined],
            [30, { key: 'tag', match: { value: 'a' } }],
          ] as const) {
            const filter = toFilter(parseBody(filterSchema, { must: [{ key: 'bucket', range: { lt: below } }, ...(extra ? [extra] : [])] }));
            let found = 0;
            let wanted = 0;
            for (const q of queries) {
              const exact = c.search({ using: '', vector: dense(q), filter, limit: 10, params: { exact: true }, ...none });
              const approx = c.search({ using: '', vector: dense(q), filter, limit: 10, params: { hnswEf: 32 }, ...none });
              for (const p of approx) {
                const bucket = (p.id as number) % 100;
                assert.ok(bucket < below && (!extra || (p.id as number) % 3 === 0), `result ${p.id} passes the filter`);
              }
              const got = new Set(approx.map((p) => p.id));
              wanted += exact.length;
              found += exact.filter((p) => got.has(p.id)).length;
            }
            const recall = found / wanted;
            assert.ok(recall >= 0.9, `filtered recall@10 ${recall.toFixed(3)} at bucket < ${below}${extra ? ' and tag' : ''} (n=${n}, dim=${dim}, indexed=${indexed})`);
          }
          store.deleteCollection(c.name);
        },
      ),
      { numRuns: 6 },
    );
  });
});

test('Manhattan vectors are always searched exactly', async () => {
  await withStore(async (store) => {
    const c = store.createCollection('manhattan', configOf(6, 'Manhattan'));
    const vectors = dataset(5, 1200, 6);
    await c.update({ type: 'upsert', points: vectors.map((v, id) => ({ id, vectors: new Map([['', dense(v)]]), payload: {} })) }, { wait: true });
    assert.equal(c.info().indexedVectorsCount, 0);
    for (const q of dataset(5, 10, 6, 1)) {
      const got = c.search({ using: '', vector: dense(q), limit: 10, ...none }).map((p) => p.id);
      const exact = c.search({ using: '', vector: dense(q), limit: 10, params: { exact: true }, ...none }).map((p) => p.id);
      assert.deepEqual(got, exact);
    }
  });
});
