import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VectorStore } from './store.js';
import type { CollectionConfig, VectorSpec } from './config.js';
import type { Collection } from './collection.js';
import { parseBody } from '../api/body.js';
import { filterSchema } from '../api/schemas/filter.js';
import { toFilter } from '../api/convert/filter.js';
import { parseJsonPath, type JsonPath } from '../segment/json-path.js';
import { dense, multi, sparse, type VectorValue } from '../segment/vector-value.js';

const none = { withPayload: { kind: 'none' }, withVector: { kind: 'none' } } as const;
const all = { withPayload: { kind: 'all' }, withVector: { kind: 'all' } } as const;
const path = (text: string) => parseJsonPath(text) as JsonPath;
const filterOf = (json: unknown) => toFilter(parseBody(filterSchema, json));
const spec = (size: number, extra: Partial<VectorSpec> = {}): VectorSpec => ({ size, distance: 'Dot', extra: {}, ...extra });

function configOf(vectors: CollectionConfig['vectors'], sparseVectors?: CollectionConfig['sparseVectors']): CollectionConfig {
  return {
    vectors,
    ...(sparseVectors ? { sparseVectors } : {}),
    options: { params: {}, hnsw_config: {}, optimizer_config: {}, wal_config: {}, quantization_config: null, strict_mode_config: {} },
  };
}

async function withCollection(config: CollectionConfig, fn: (c: Collection, store: VectorStore) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'phoenix-features-'));
  const store = VectorStore.openDir(dir);
  try {
    await fn(store.createCollection('c', config), store);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const plain = configOf({ kind: 'single', spec: spec(2) });

async function seed(c: Collection, payloads: Array<Record<string, unknown>>): Promise<void> {
  await c.update({ type: 'upsert', points: payloads.map((payload, id) => ({ id, vectors: new Map([['', dense(Float32Array.from([id, 1]))]]), payload: payload as never })) }, { wait: true });
}

test('scroll with order_by follows the range index, both directions, from a start value, with a filter', async () => {
  await withCollection(plain, async (c) => {
    await seed(c, [{ n: 5 }, { n: 1 }, { n: 9 }, { n: 5, even: true }, { n: [2, 7] }, { s: 'no n' }, { n: 3.5 }]);
    assert.throws(() => c.scroll({ limit: 10, orderBy: { key: path('n'), direction: 'asc' }, ...none }), /No range index for `order_by` key: `n`/);
    await c.update({ type: 'create_payload_index', field: 'n', schema: { type: 'float' } }, { wait: true });
    const order = (r: ReturnType<Collection['scroll']>) => r.points.map((p) => [p.id, p.orderValue]);
    assert.deepEqual(order(c.scroll({ limit: 10, orderBy: { key: path('n'), direction: 'asc' }, ...none })), [
      [1, 1],
      [4, 2],
      [6, 3.5],
      [0, 5],
      [3, 5],
      [4, 7],
      [2, 9],
    ]);
    assert.deepEqual(order(c.scroll({ limit: 3, orderBy: { key: path('n'), direction: 'desc' }, ...none })), [
      [2, 9],
      [4, 7],
      [3, 5],
    ]);
    assert.deepEqual(order(c.scroll({ limit: 10, orderBy: { key: path('n'), direction: 'asc', startFrom: 5 }, filter: filterOf({ must_not: [{ key: 'even', match: { value: true } }] }), ...none })), [
      [0, 5],
      [4, 7],
      [2, 9],
    ]);
    assert.equal(c.scroll({ limit: 2, orderBy: { key: path('n'), direction: 'asc' }, ...none }).nextOffset, undefined);
  });
});

test('facets count points per value of an indexed key, most frequent first, then by value', async () => {
  await withCollection(plain, async (c) => {
    await seed(c, [{ tag: 'b' }, { tag: ['a', 'b', 'b'] }, { tag: 'c' }, { tag: 'a', big: true }, { tag: 'b', big: true }, { other: 1 }]);
    assert.throws(() => c.facet({ key: path('tag'), limit: 10, exact: true }), /Index required but not found for "tag"/);
    await c.update({ type: 'create_payload_index', field: 'tag', schema: { type: 'keyword' } }, { wait: true });
    assert.deepEqual(c.facet({ key: path('tag'), limit: 10, exact: true }), [
      { value: 'b', count: 3 },
      { value: 'a', count: 2 },
      { value: 'c', count: 1 },
    ]);
    assert.deepEqual(c.facet({ key: path('tag'), limit: 1, exact: false, filter: filterOf({ must: [{ key: 'big', match: { value: true } }] }) }), [{ value: 'a', count: 1 }]);
    assert.deepEqual(c.payloadSchema(), { tag: { data_type: 'keyword', points: 5 } });
    await c.update({ type: 'delete_payload_index', field: 'tag' }, { wait: true });
    assert.deepEqual(c.payloadSchema(), {});
  });
});

test('sparse vectors: only overlapping points are scored; the idf modifier weighs rare dimensions up', async () => {
  const config = configOf({ kind: 'named', specs: {} }, { text: { modifier: 'idf', extra: {} }, raw: { modifier: 'none', extra: {} } });
  await withCollection(config, async (c) => {
    const docs = [sparse([1, 2], [1, 1]), sparse([1], [2]), sparse([1, 3], [1, 1]), sparse([9], [5])];
    await c.update({ type: 'upsert', points: docs.map((v, id) => ({ id, vectors: new Map([['text', v], ['raw', v]]), payload: {} })) }, { wait: true });
    const query = sparse([3, 1], [1, 1]); // unsorted on purpose
    const raw = c.search({ using: 'raw', vector: query, limit: 10, ...none });
    assert.deepEqual(
      raw.map((p) => [p.id, p.score]),
      [
        [1, 2],
        [2, 2],
        [0, 1],
      ],
      'dot products, ties by id, point 3 shares no dimension',
    );
    const idf = (df: number) => Math.log((4 - df + 0.5) / (df + 0.5) + 1);
    const weighted = c.search({ using: 'text', vector: query, limit: 10, ...none });
    assert.deepEqual(
      weighted.map((p) => p.id),
      [2, 1, 0],
    );
    assert.ok(Math.abs(weighted[0]!.score! - (idf(3) + idf(1))) < 1e-5);
    // score() (custom scoring, rescoring of prefetched points) agrees with search, IDF included
    const prepared = c.preprocess('text', query);
    assert.deepEqual(prepared, sparse([1, 3], [1, 1]), 'preprocess stays IDF-free');
    for (const hit of weighted) {
      const v = c.vectorOf(hit.id, 'text')!;
      assert.ok(Math.abs(c.reportScore('text', c.score('text', prepared, v)) - hit.score!) < 1e-6, `score of ${hit.id}`);
    }
    assert.equal(c.score('raw', prepared, docs[1]!), 2, 'no modifier: a plain dot product');
    // IDF follows the data: one more document with dimension 3 lowers its weight
    await c.update({ type: 'upsert', points: [{ id: 9, vectors: new Map([['text', sparse([3], [1])]]), payload: {} }] }, { wait: true });
    const idf5 = (df: number) => Math.log((5 - df + 0.5) / (df + 0.5) + 1);
    assert.ok(Math.abs(c.score('text', prepared, docs[2]!) - (idf5(3) + idf5(2))) < 1e-5, 'the weights follow the index');
    const [stored] = c.retrieve([0], all);
    assert.deepEqual(stored?.vectors?.get('text'), sparse([1, 2], [1, 1]));
  });
});

test('multivectors are compared with max_sim', async () => {
  const config = configOf({ kind: 'named', specs: { mv: spec(2, { multivector: { comparator: 'max_sim' } }) } });
  await withCollection(config, async (c) => {
    const f = (...xs: number[]) => Float32Array.from(xs);
    await c.update({
      type: 'upsert',
      points: [
        { id: 1, vectors: new Map([['mv', multi([f(1, 0), f(0, 1)])]]), payload: {} },
        { id: 2, vectors: new Map([['mv', multi([f(2, 2)])]]), payload: {} },
      ],
    });
    const hits = c.search({ using: 'mv', vector: multi([f(1, 0), f(0, 3)]), limit: 2, ...none });
    // point 1: max(1,0) + max(0,3) = 4; point 2: 2 + 6 = 8
    assert.deepEqual(
      hits.map((h) => [h.id, h.score]),
      [
        [2, 8],
        [1, 4],
      ],
    );
    await assert.rejects(c.update({ type: 'upsert', points: [{ id: 3, vectors: new Map([['mv', multi([f(1, 2, 3)])]]), payload: {} }] }), /Vector dimension error: expected dim: 2, got 3/);
  });
});

test('vector names can be added and deleted; update_vectors and delete_vectors change only the named vectors', async () => {
  const config = configOf({ kind: 'named', specs: { a: spec(2), b: spec(3) } });
  await withCollection(config, async (c) => {
    await c.update({ type: 'upsert', points: [1, 2].map((id) => ({ id, vectors: new Map([['a', dense(Float32Array.from([id, 0]))], ['b', dense(Float32Array.from([0, 0, id]))]]), payload: { id } })) });
    await c.update({ type: 'create_vector', name: 'sp', params: { kind: 'sparse', spec: { modifier: 'none', extra: {} } } });
    await assert.rejects(c.update({ type: 'create_vector', name: 'a', params: { kind: 'dense', spec: spec(4) } }), /already exists/);
    await c.update({ type: 'update_vectors', points: [{ id: 1, vectors: new Map<string, VectorValue>([['sp', sparse([4], [1])], ['a', dense(Float32Array.from([9, 9]))]]) }] });
    await assert.rejects(c.update({ type: 'update_vectors', points: [{ id: 77, vectors: new Map([['a', dense(Float32Array.from([1, 1]))]]) }] }), /No point with id 77 found/);
    let [one] = c.retrieve([1], all);
    assert.deepEqual([...one!.vectors!.keys()].sort(), ['a', 'b', 'sp']);
    assert.deepEqual(one!.vectors!.get('a'), dense(Float32Array.from([9, 9])));
    assert.deepEqual(one!.payload, { id: 1 }, 'payload untouched');
    await c.update({ type: 'delete_vectors', selection: { kind: 'filter', filter: filterOf({ must: [{ key: 'id', match: { value: 1 } }] }) }, names: ['b'] });
    [one] = c.retrieve([1], all);
    assert.deepEqual([...one!.vectors!.keys()].sort(), ['a', 'sp']);
    await c.update({ type: 'delete_vector', name: 'a' }, { wait: true });
    assert.deepEqual(Object.keys(c.config.vectors.kind === 'named' ? c.config.vectors.specs : {}), ['b']);
    assert.deepEqual(Object.keys(c.config.sparseVectors ?? {}), ['sp']);
    [one] = c.retrieve([1], all);
    assert.deepEqual([...one!.vectors!.keys()], ['sp']);
    assert.throws(() => c.search({ using: 'a', vector: dense(Float32Array.from([1, 1])), limit: 1, ...none }), /Not existing vector name error: a/);
  });
});

test('upsert modes and update filters decide which existing points change', async () => {
  await withCollection(plain, async (c) => {
    await seed(c, [{ v: 0, locked: true }, { v: 0 }]);
    const write = (ids: number[], v: number) => ids.map((id) => ({ id, vectors: new Map([['', dense(Float32Array.from([1, 1]))]]), payload: { v } }));
    await c.update({ type: 'upsert', points: write([0, 1, 2], 1), updateMode: 'insert_only' });
    await c.update({ type: 'upsert', points: write([1, 3], 2), updateMode: 'update_only' });
    await c.update({ type: 'upsert', points: write([0, 1, 4], 3), updateFilter: filterOf({ must_not: [{ key: 'locked', match: { value: true } }] }) });
    const v = c.retrieve([0, 1, 2, 3, 4], all).map((p) => [p.id, p.payload?.v]);
    assert.deepEqual(v, [
      [0, 0],
      [1, 3],
      [2, 1],
      [4, 3],
    ]);
  });
});

test('a snapshot restores as another collection with the same points, index and payload indexes', async () => {
  const config = configOf({ kind: 'single', spec: spec(4) });
  config.options.optimizer_config = { indexing_threshold: 1 };
  await withCollection(config, async (c, store) => {
    const points = Array.from({ length: 500 }, (_, id) => ({ id, vectors: new Map([['', dense(Float32Array.from([Math.sin(id), Math.cos(id), id % 7, 1]))]]), payload: { k: `k${id % 5}` } }));
    await c.update({ type: 'upsert', points }, { wait: true });
    await c.update({ type: 'create_payload_index', field: 'k', schema: { type: 'keyword' } }, { wait: true });
    const dir = mkdtempSync(join(tmpdir(), 'phoenix-snap-'));
    try {
      await c.snapshot(dir);
      await c.update({ type: 'delete', selection: { kind: 'ids', ids: [1, 2, 3] } }, { wait: true }); // after the snapshot
      const restored = store.restoreCollection('copy', dir);
      assert.equal(restored.name, 'copy');
      assert.equal(restored.count(), 500);
      assert.equal(restored.info().indexedVectorsCount, 500, 'the saved graph came along');
      assert.deepEqual(restored.payloadSchema(), { k: { data_type: 'keyword', points: 500 } });
      const q = dense(Float32Array.from([0.5, 0.5, 3, 1]));
      assert.deepEqual(
        restored.search({ using: '', vector: q, limit: 5, params: { exact: true }, ...none }).map((p) => p.id),
        restored.search({ using: '', vector: q, limit: 5, params: { hnswEf: 200 }, ...none }).map((p) => p.id),
      );
      assert.equal(c.count(), 497, 'the original is unchanged by the restore');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

test('changing HNSW parameters rebuilds the graph in the background; searches stay right meanwhile', async () => {
  const config = configOf({ kind: 'single', spec: { size: 4, distance: 'Cosine', extra: {} } });
  config.options.optimizer_config = { indexing_threshold: 1 };
  await withCollection(config, async (c) => {
    const points = Array.from({ length: 800 }, (_, id) => ({ id, vectors: new Map([['', dense(Float32Array.from([Math.sin(id), Math.cos(id * 3), (id % 11) - 5, 1]))]]), payload: {} }));
    await c.update({ type: 'upsert', points }, { wait: true });
    assert.equal(c.info().indexedVectorsCount, 800);
    await c.update({ type: 'update_config', patch: { hnsw_config: { m: 4, ef_construct: 32 } } });
    assert.equal(c.config.options.hnsw_config.m, 4);
    const q = dense(Float32Array.from([0.3, -0.2, 1, 0.5]));
    const exact = c.search({ using: '', vector: q, limit: 10, params: { exact: true }, ...none }).map((p) => p.id);
    assert.deepEqual(
      c.search({ using: '', vector: q, limit: 10, ...none }).map((p) => p.id),
      exact,
      'while rebuilding, unindexed vectors are scanned',
    );
    await c.update({ type: 'upsert', points: [] }, { wait: true });
    assert.equal(c.info().indexedVectorsCount, 800);
    assert.equal(c.info().status, 'green');
  });
});

test('deleting past deleted_threshold rebuilds the graph in the background without the dead vectors', async () => {
  const config = configOf({ kind: 'single', spec: { size: 4, distance: 'Euclid', extra: {} } });
  config.options.optimizer_config = { indexing_threshold: 1, deleted_threshold: 0.2, vacuum_min_vector_number: 1000 };
  const dir = mkdtempSync(join(tmpdir(), 'phoenix-vacuum-'));
  try {
    let store = VectorStore.openDir(dir);
    const c = store.createCollection('v', config);
    const points = Array.from({ length: 1500 }, (_, id) => ({ id, vectors: new Map([['', dense(Float32Array.from([Math.sin(id), Math.cos(id * 7), (id % 13) / 3, id / 500]))]]), payload: {} }));
    await c.update({ type: 'upsert', points }, { wait: true });
    await c.update({ type: 'delete', selection: { kind: 'ids', ids: Array.from({ length: 600 }, (_, i) => i * 2) } }, { wait: true });
    for (let i = 0; i < 200 && c.info().status !== 'green'; i++) await new Promise((r) => setTimeout(r, 25));
    assert.equal(c.info().status, 'green', 'the rebuild finishes');
    assert.equal(c.info().indexedVectorsCount, 900);
    const q = dense(Float32Array.from([0.1, 0.2, 1, 1]));
    assert.deepEqual(
      c.search({ using: '', vector: q, limit: 10, params: { hnswEf: 100 }, ...none }).map((p) => p.id),
      c.search({ using: '', vector: q, limit: 10, params: { exact: true }, ...none }).map((p) => p.id),
    );
    store.close();
    const meta = JSON.parse(readFileSync(join(dir, 'collections', 'v', 'index', '_default', 'meta.json'), 'utf8')) as { labels: number };
    assert.equal(meta.labels, 900, 'the saved graph holds only the live vectors');
    store = VectorStore.openDir(dir);
    assert.equal(store.collections()[0]!.collection.info().indexedVectorsCount, 900);
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
