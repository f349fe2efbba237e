/**
 * Point operations beyond plain upsert, through the official client: update and delete vectors,
 * batch update, conditional upserts (update_filter, update_mode), sparse and multivectors with
 * Qdrant's validation, payload selectors (include/exclude, nested and array paths), vectors by
 * name, set_payload with a key, scroll with order_by, facets, and wait=false acknowledgements.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { QdrantClient } from '@qdrant/js-client-rest';
import { errorText, raw, startPlainVector, type PlainVector } from './harness.js';

let server: PlainVector;
let client: QdrantClient;

type ClientError = { status?: number; data?: { status?: { error?: string } } };
function rejectsWith(status: number, message?: string | RegExp) {
  return (err: ClientError) => {
    assert.equal(err.status, status);
    if (typeof message === 'string') assert.equal(err.data?.status?.error, message);
    else if (message) assert.match(err.data?.status?.error ?? '', message);
    return true;
  };
}

before(async () => {
  server = await startPlainVector();
  client = new QdrantClient({ url: server.url, checkCompatibility: false });
  await client.createCollection('ops', {
    vectors: { a: { size: 2, distance: 'Dot' }, b: { size: 2, distance: 'Dot' }, m: { size: 2, distance: 'Dot', multivector_config: { comparator: 'max_sim' } } },
    sparse_vectors: { s: {} },
  });
});

after(async () => {
  await server?.close();
});

async function vectorsOf(collection: string, id: number): Promise<unknown> {
  const [p] = await client.retrieve(collection, { ids: [id], with_vector: true, with_payload: false });
  return p?.vector;
}

test('sparse and multivectors are stored and returned as sent (sparse sorted by index)', async () => {
  await client.upsert('ops', {
    wait: true,
    points: [{ id: 1, vector: { a: [1, 0], s: { indices: [9, 2], values: [0.5, 1] }, m: [[1, 2], [3, 4]] }, payload: { n: 1 } }],
  });
  assert.deepEqual(await vectorsOf('ops', 1), { a: [1, 0], s: { indices: [2, 9], values: [1, 0.5] }, m: [[1, 2], [3, 4]] });
});

test('sparse and multivector validation errors in Qdrant’s words', async () => {
  const cases: Array<{ body: unknown; message: string | RegExp }> = [
    { body: { points: [{ id: 2, vector: { s: { indices: [1, 2], values: [1] } } }] }, message: /^Validation error in JSON body: \[points\[0\]\.vector\.\?\.values: Validation error: must be the same length as indices \[\{\}\]\]$/ },
    { body: { points: [{ id: 2, vector: { s: { indices: [3, 3], values: [1, 2] } } }] }, message: /^Validation error in JSON body: \[points\[0\]\.vector\.\?\.indices: Validation error: must be unique \[\{\}\]\]$/ },
    { body: { points: [{ id: 2, vector: { a: [1, 2, 3] } }] }, message: 'Wrong input: Vector dimension error: expected dim: 2, got 3' },
    { body: { points: [{ id: 2, vector: { nope: [1, 2] } }] }, message: 'Wrong input: Not existing vector name error: nope' },
  ];
  for (const c of cases) {
    const r = await raw('PUT', `${server.url}/collections/ops/points?wait=true`, c.body);
    assert.ok(r.status === 400 || r.status === 422, r.text);
    if (typeof c.message === 'string') assert.equal(errorText(r), c.message);
    else assert.match(errorText(r) ?? '', c.message);
  }
  assert.equal((await client.count('ops')).count, 1, 'nothing was written');
});

test('update vectors replaces only the named vectors; delete vectors removes them', async () => {
  await client.upsert('ops', { wait: true, points: [{ id: 3, vector: { a: [1, 1], b: [2, 2] }, payload: { n: 3 } }] });
  const r = await client.updateVectors('ops', { wait: true, points: [{ id: 3, vector: { b: [5, 5] } }] });
  assert.equal(r.status, 'completed');
  assert.deepEqual(await vectorsOf('ops', 3), { a: [1, 1], b: [5, 5] });
  await assert.rejects(client.updateVectors('ops', { wait: true, points: [{ id: 999, vector: { a: [1, 1] } }] }), rejectsWith(404, /999/));
  await client.deleteVectors('ops', { wait: true, points: [3], vector: ['a'] });
  assert.deepEqual(await vectorsOf('ops', 3), { b: [5, 5] });
  const [p] = await client.retrieve('ops', { ids: [3], with_payload: true });
  assert.deepEqual(p!.payload, { n: 3 }, 'payload untouched');
  const hasA = await client.count('ops', { filter: { must: [{ has_vector: 'a' }] } });
  assert.equal(hasA.count, 1);
});

test('batch update applies operations in order and answers one result each', async () => {
  const results = await client.batchUpdate('ops', {
    wait: true,
    operations: [
      { upsert: { points: [{ id: 10, vector: { a: [1, 0] }, payload: { x: 1 } }, { id: 11, vector: { a: [0, 1] } }] } },
      { set_payload: { payload: { y: 2 }, points: [10] } },
      { overwrite_payload: { payload: { z: 3 }, points: [11] } },
      { delete_payload: { keys: ['x'], points: [10] } },
      { update_vectors: { points: [{ id: 11, vector: { b: [7, 7] } }] } },
      { delete_vectors: { points: [11], vector: ['a'] } },
      { clear_payload: { points: [11] } },
      { delete: { points: [3] } },
    ],
  });
  assert.equal(results.length, 8);
  assert.ok(results.every((r) => r.status === 'completed'));
  const ids = results.map((r) => r.operation_id!);
  assert.deepEqual(ids, [...ids].sort((x, y) => x - y), 'operation ids increase');
  const recs = await client.retrieve('ops', { ids: [10, 11, 3], with_payload: true, with_vector: true });
  assert.deepEqual(
    recs.map((r) => [r.id, r.payload, r.vector]),
    [
      [10, { y: 2 }, { a: [1, 0] }],
      [11, {}, { b: [7, 7] }],
    ],
  );
  // An invalid operation anywhere in the batch: nothing is applied.
  const before = await client.count('ops');
  const bad = await raw('POST', `${server.url}/collections/ops/points/batch?wait=true`, { operations: [{ upsert: { points: [{ id: 20, vector: { a: [1, 1] } }] } }, { nonsense: {} }] });
  assert.equal(bad.status, 400);
  assert.equal((await client.count('ops')).count, before.count);
});

test('conditional upserts: update_filter and update_mode', async () => {
  await client.upsert('ops', { wait: true, points: [{ id: 30, vector: { a: [1, 0] }, payload: { v: 1, lock: false } }, { id: 31, vector: { a: [1, 0] }, payload: { v: 1, lock: true } }] });
  await client.upsert('ops', {
    wait: true,
    update_filter: { must: [{ key: 'lock', match: { value: false } }] },
    points: [
      { id: 30, vector: { a: [0, 1] }, payload: { v: 2, lock: false } },
      { id: 31, vector: { a: [0, 1] }, payload: { v: 2, lock: true } },
      { id: 32, vector: { a: [0, 1] }, payload: { v: 2 } },
    ],
  });
  const got = async (ids: number[]) => (await client.retrieve('ops', { ids, with_payload: true })).map((r) => [r.id, (r.payload as { v: number }).v]);
  assert.deepEqual(await got([30, 31, 32]), [
    [30, 2],
    [31, 1],
    [32, 2],
  ]);
  await client.upsert('ops', { wait: true, update_mode: 'insert_only', points: [{ id: 30, vector: { a: [1, 1] }, payload: { v: 3 } }, { id: 33, vector: { a: [1, 1] }, payload: { v: 3 } }] });
  assert.deepEqual(await got([30, 33]), [
    [30, 2],
    [33, 3],
  ]);
  await client.upsert('ops', { wait: true, update_mode: 'update_only', points: [{ id: 30, vector: { a: [1, 1] }, payload: { v: 4 } }, { id: 34, vector: { a: [1, 1] }, payload: { v: 4 } }] });
  assert.deepEqual(await got([30, 34]), [[30, 4]]);
});

test('payload selectors: include / exclude with nested and array paths; vectors by name', async () => {
  const payload = { name: 'x', meta: { a: 1, b: { c: 2, d: 3 } }, list: [{ k: 1, j: 2 }, { k: 3, j: 4 }], tags: ['t1', 't2'] };
  await client.upsert('ops', { wait: true, points: [{ id: 40, vector: { a: [1, 2], b: [3, 4] }, payload }] });
  const get = async (with_payload: unknown, with_vector: unknown = false) => (await client.retrieve('ops', { ids: [40], with_payload: with_payload as boolean, with_vector: with_vector as boolean }))[0]!;
  assert.deepEqual((await get(['name', 'meta.b.c'])).payload, { name: 'x', meta: { b: { c: 2 } } });
  assert.deepEqual((await get({ include: ['list[].k'] })).payload, { list: [{ k: 1 }, { k: 3 }] });
  assert.deepEqual((await get({ exclude: ['meta.b', 'list[].j', 'tags'] })).payload, { name: 'x', meta: { a: 1 }, list: [{ k: 1 }, { k: 3 }] });
  assert.deepEqual((await get({ include: ['nothing'] })).payload, {});
  assert.deepEqual((await get(false, ['b'])).vector, { b: [3, 4] });
  const q = await client.query('ops', { query: [1, 2], using: 'a', filter: { must: [{ has_id: [40] }] }, with_payload: { exclude: ['meta'] }, with_vector: ['a'] });
  assert.deepEqual(q.points[0]!.payload, { name: 'x', list: payload.list, tags: payload.tags });
  assert.deepEqual(q.points[0]!.vector, { a: [1, 2] });
  const scrolled = await client.scroll('ops', { filter: { must: [{ has_id: [40] }] }, with_payload: ['tags'] });
  assert.deepEqual(scrolled.points[0]!.payload, { tags: ['t1', 't2'] });
});

test('set_payload with a key writes into a nested object', async () => {
  await client.upsert('ops', { wait: true, points: [{ id: 50, vector: { a: [1, 0] }, payload: { cfg: { x: 1 }, other: true } }] });
  await client.setPayload('ops', { wait: true, points: [50], key: 'cfg', payload: { y: 2 } });
  await client.setPayload('ops', { wait: true, points: [50], key: 'fresh.inner', payload: { z: 3 } });
  const [p] = await client.retrieve('ops', { ids: [50], with_payload: true });
  assert.deepEqual(p!.payload, { cfg: { x: 1, y: 2 }, other: true, fresh: { inner: { z: 3 } } });
});

test('scroll with order_by needs a range index; asc, desc, start_from; no offset with it', async () => {
  await client.createCollection('ord', { vectors: { size: 1, distance: 'Dot' } });
  await client.upsert('ord', { wait: true, points: Array.from({ length: 20 }, (_, i) => ({ id: i + 1, vector: [1], payload: { price: (i * 7) % 20, label: `l${i % 3}` } })) });
  await assert.rejects(client.scroll('ord', { order_by: 'price' }), rejectsWith(400));
  await client.createPayloadIndex('ord', { field_name: 'price', field_schema: 'integer', wait: true });
  const asc = await client.scroll('ord', { order_by: 'price', limit: 5, with_payload: true });
  assert.deepEqual(
    asc.points.map((p) => (p.payload as { price: number }).price),
    [0, 1, 2, 3, 4],
  );
  assert.equal(asc.next_page_offset, null);
  const desc = await client.scroll('ord', { order_by: { key: 'price', direction: 'desc', start_from: 10 }, limit: 3, with_payload: true });
  assert.deepEqual(
    desc.points.map((p) => (p.payload as { price: number }).price),
    [10, 9, 8],
  );
  const both = await raw('POST', `${server.url}/collections/ord/points/scroll`, { order_by: 'price', offset: 3 });
  assert.equal(both.status, 400);
});

test('facet counts values of an indexed keyword field, filtered', async () => {
  await client.createPayloadIndex('ord', { field_name: 'label', field_schema: 'keyword', wait: true });
  const facet = await client.facet('ord', { key: 'label', exact: true });
  assert.deepEqual(facet.hits, [
    { value: 'l0', count: 7 },
    { value: 'l1', count: 7 },
    { value: 'l2', count: 6 },
  ]);
  const filtered = await client.facet('ord', { key: 'label', filter: { must: [{ key: 'price', range: { lt: 5 } }] }, limit: 1 });
  assert.equal(filtered.hits.length, 1);
});

test('wait=false answers acknowledged, and the write is applied', async () => {
  const r = await client.upsert('ops', { wait: false, points: [{ id: 60, vector: { a: [1, 1] } }] });
  assert.equal(r.status, 'acknowledged');
  assert.equal(typeof r.operation_id, 'number');
  for (let i = 0; i < 50 && (await client.retrieve('ops', { ids: [60] })).length === 0; i++) await new Promise((res) => setTimeout(res, 20));
  assert.equal((await client.retrieve('ops', { ids: [60] })).length, 1);
});
