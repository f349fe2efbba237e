/**
 * The official Qdrant JS client against the engine: retrieve and get, delete by ids and by filter,
 * payload set / overwrite / delete / clear (by ids and by filter), named vectors, and the
 * collections API — each checked the way a user would notice.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { QdrantClient } from '@qdrant/js-client-rest';
import { seededRandom, startPlainVector, type PlainVector } from './harness.js';
import { bruteTopK, makePoints, randomVector, type Id, type TestPoint } from './data.js';

let server: PlainVector;
let client: QdrantClient;
let points: TestPoint[];
const NAME = 'mutations';

before(async () => {
  server = await startPlainVector();
  client = new QdrantClient({ url: server.url, checkCompatibility: false });
  await client.createCollection(NAME, { vectors: { size: 4, distance: 'Dot' } });
  points = makePoints(42, 300, 4);
  await client.upsert(NAME, { wait: true, points: points.map((p) => ({ id: p.id, vector: Array.from(p.vector), payload: p.payload })) });
});

after(async () => {
  await server?.close();
});

async function payloadOf(id: Id): Promise<Record<string, unknown> | undefined> {
  const [rec] = await client.retrieve(NAME, { ids: [id], with_payload: true });
  return rec?.payload ?? undefined;
}

test('retrieve returns the stored payload and the exact vectors; unknown ids are skipped', async () => {
  const a = points[0]!;
  const b = points[299]!; // a UUID id
  assert.equal(typeof b.id, 'string');
  const recs = await client.retrieve(NAME, { ids: [a.id, (b.id as string).toUpperCase(), 777_777], with_payload: true, with_vector: true });
  assert.deepEqual(
    recs.map((r) => r.id),
    [a.id, b.id],
    'UUIDs come back lowercase and hyphenated',
  );
  assert.deepEqual(recs[0]!.payload, a.payload);
  // Stored as f32 and printed like Qdrant prints an f32 (shortest form): the same f32 values come back.
  assert.deepEqual((recs[0]!.vector as number[]).map(Math.fround), Array.from(a.vector), 'a Dot collection keeps vectors as sent (f32)');
  const bare = await client.retrieve(NAME, { ids: [a.id], with_payload: false });
  assert.deepEqual(bare, [{ id: a.id }]);
});

test('get one point by id (integer and UUID) returns payload and vector; a missing one is 404', async () => {
  const p = points[298]!;
  const res = await client.api().getPoint({ collection_name: NAME, id: String(p.id).replaceAll('-', '') });
  assert.equal(res.data.result?.id, p.id);
  assert.deepEqual(res.data.result?.payload, p.payload);
  assert.deepEqual((res.data.result?.vector as number[]).map(Math.fround), Array.from(p.vector));
  await assert.rejects(client.api().getPoint({ collection_name: NAME, id: 424242 }), (err: { status?: number; data?: { status?: { error?: string } } }) => {
    assert.equal(err.status, 404);
    assert.equal(err.data?.status?.error, 'Not found: Point with id 424242 does not exists!');
    return true;
  });
});

test('set payload merges keys, overwrite replaces, delete removes keys, clear empties', async () => {
  const [p1, p2, p3] = [points[1]!, points[2]!, points[3]!];
  const set = await client.setPayload(NAME, { payload: { color: 'green', nested: { a: 1 } }, points: [p1.id], wait: true });
  assert.equal(set.status, 'completed');
  assert.deepEqual(await payloadOf(p1.id), { ...p1.payload, color: 'green', nested: { a: 1 } });

  await client.setPayload(NAME, { payload: { b: 2 }, points: [p1.id], key: 'nested', wait: true });
  assert.deepEqual((await payloadOf(p1.id))?.nested, { a: 1, b: 2 }, 'set with key merges into the nested object');

  await client.overwritePayload(NAME, { payload: { sole: true }, points: [p1.id], wait: true });
  assert.deepEqual(await payloadOf(p1.id), { sole: true });

  await client.deletePayload(NAME, { keys: ['city', 'tags'], points: [p2.id], wait: true });
  assert.deepEqual(await payloadOf(p2.id), { n: p2.payload.n });

  await client.clearPayload(NAME, { points: [p3.id], wait: true });
  assert.deepEqual(await payloadOf(p3.id), {});

  // Payload updates of a point that does not exist are refused and change nothing.
  await assert.rejects(client.setPayload(NAME, { payload: { x: 1 }, points: [p2.id, 999_999], wait: true }), (err: { status?: number; data?: { status?: { error?: string } } }) => {
    assert.equal(err.status, 404);
    assert.equal(err.data?.status?.error, 'Not found: No point with id 999999 found');
    return true;
  });
  assert.deepEqual(await payloadOf(p2.id), { n: p2.payload.n });
});

test('payload updates by filter touch exactly the matching points', async () => {
  const oslo = points.filter((p) => p.payload.city === 'Oslo' && p !== points[1] && p !== points[2] && p !== points[3]);
  await client.setPayload(NAME, { payload: { north: true }, filter: { must: [{ key: 'city', match: { value: 'Oslo' } }] }, wait: true });
  const flagged = await client.count(NAME, { filter: { must: [{ key: 'north', match: { value: true } }] } });
  assert.equal(flagged.count, oslo.length);

  await client.deletePayload(NAME, { keys: ['north'], filter: { must: [{ key: 'city', match: { value: 'Oslo' } }] }, wait: true });
  assert.equal((await client.count(NAME, { filter: { must: [{ key: 'north', match: { value: true } }] } })).count, 0);

  const rome = points.filter((p) => p.payload.city === 'Rome').map((p) => p.id);
  await client.clearPayload(NAME, { filter: { must: [{ key: 'city', match: { value: 'Rome' } }] }, wait: true });
  for (const id of rome.slice(0, 5)) assert.deepEqual(await payloadOf(id), {});
});

test('delete by ids and by filter; acknowledged without wait, completed with it', async () => {
  const before = (await client.count(NAME)).count;
  const [d1, d2] = [points[10]!, points[11]!];
  const res = await client.delete(NAME, { points: [d1.id, d2.id, 123_456_789] });
  assert.equal(res.status, 'acknowledged', 'no wait: acknowledged (still durable and visible)');
  assert.equal((await client.count(NAME)).count, before - 2);
  assert.deepEqual(await client.retrieve(NAME, { ids: [d1.id, d2.id] }), []);

  const paris = (await client.count(NAME, { filter: { must: [{ key: 'city', match: { value: 'Paris' } }] } })).count;
  assert.ok(paris > 0);
  const byFilter = await client.delete(NAME, { filter: { must: [{ key: 'city', match: { value: 'Paris' } }] }, wait: true });
  assert.equal(byFilter.status, 'completed');
  assert.equal((await client.count(NAME, { filter: { must: [{ key: 'city', match: { value: 'Paris' } }] } })).count, 0);
  assert.equal((await client.count(NAME)).count, before - 2 - paris);
});

test('upsert replaces a whole point (vector and payload)', async () => {
  const p = points[20]!;
  await client.upsert(NAME, { wait: true, points: [{ id: p.id, vector: [1, 2, 3, 4] }] });
  const [rec] = await client.retrieve(NAME, { ids: [p.id], with_payload: true, with_vector: true });
  assert.deepEqual(rec?.vector, [1, 2, 3, 4]);
  assert.deepEqual(rec?.payload, {});
});

test('named vectors: query with `using`, search with {name, vector}, select vectors by name', async () => {
  await client.createCollection('named', { vectors: { image: { size: 4, distance: 'Cosine' }, text: { size: 8, distance: 'Euclid', on_disk: true } } });
  const rand = seededRandom(5);
  const withText = new Set<number>();
  const image: Array<{ id: number; vector: Float32Array }> = [];
  const text: Array<{ id: number; vector: Float32Array }> = [];
  const upserts = [];
  for (let id = 0; id < 200; id++) {
    const img = Float32Array.from(randomVector(rand, 4));
    const vector: Record<string, number[]> = { image: Array.from(img) };
    image.push({ id, vector: img });
    if (id % 3 !== 0) {
      const txt = Float32Array.from(randomVector(rand, 8));
      vector.text = Array.from(txt);
      text.push({ id, vector: txt });
      withText.add(id);
    }
    upserts.push({ id, vector, payload: { i: id } });
  }
  await client.upsert('named', { wait: true, points: upserts });

  const info = await client.getCollection('named');
  assert.deepEqual(info.config.params.vectors, { image: { size: 4, distance: 'Cosine' }, text: { size: 8, distance: 'Euclid', on_disk: true } });

  const asTest = (list: typeof image) => list.map((x) => ({ id: x.id, vector: x.vector, payload: { city: '', n: 0, tags: [] } }));
  const q = randomVector(rand, 8);
  const res = await client.query('named', { query: q, using: 'text', limit: 10 });
  assert.deepEqual(
    res.points.map((p) => p.id),
    bruteTopK('Euclid', asTest(text), q, () => true).map((e) => e.id),
  );
  for (const p of res.points) assert.ok(withText.has(p.id as number), 'points without the named vector are not candidates');

  const qi = randomVector(rand, 4);
  const search = await fetch(`${server.url}/collections/named/points/search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ vector: { name: 'image', vector: qi }, limit: 10 }),
  });
  const hits = ((await search.json()) as { result: Array<{ id: number }> }).result;
  assert.deepEqual(
    hits.map((h) => h.id),
    bruteTopK('Cosine', asTest(image), qi, () => true).map((e) => e.id),
  );

  const [rec] = await client.retrieve('named', { ids: [1], with_vector: ['text'] });
  assert.deepEqual(Object.keys(rec?.vector as object), ['text']);
  const [full] = await client.retrieve('named', { ids: [0], with_vector: true });
  assert.deepEqual(Object.keys(full?.vector as object), ['image'], 'a point without `text` returns only `image`');
  const norm = Math.hypot(...((full?.vector as Record<string, number[]>).image ?? []));
  assert.ok(Math.abs(norm - 1) < 1e-6, 'Cosine vectors are stored normalised, like Qdrant');
});

test('collections: exists, list, delete; a deleted collection is gone', async () => {
  await client.createCollection('temp', { vectors: { size: 2, distance: 'Manhattan' }, hnsw_config: { m: 32 }, optimizers_config: { indexing_threshold: 0 }, shard_number: 2 });
  const info = await client.getCollection('temp');
  assert.equal(info.config.hnsw_config.m, 32, 'other create params are accepted and echoed');
  assert.equal(info.config.hnsw_config.ef_construct, 100, 'merged with Qdrant defaults');
  assert.equal(info.config.optimizer_config.indexing_threshold, 0);
  assert.equal(info.config.params.shard_number, 2);
  assert.deepEqual(await client.collectionExists('temp'), { exists: true });
  assert.ok((await client.getCollections()).collections.some((c) => c.name === 'temp'));
  assert.equal(await client.deleteCollection('temp'), true);
  assert.deepEqual(await client.collectionExists('temp'), { exists: false });
  assert.equal(await client.deleteCollection('temp'), false);
  await assert.rejects(client.getCollection('temp'), (err: { status?: number }) => err.status === 404);
});
