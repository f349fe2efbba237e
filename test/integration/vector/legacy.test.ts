/**
 * The search, recommend and discover families Qdrant 1.19 dropped from its OpenAPI file but still
 * serves (older clients call them), over raw HTTP since the 1.19 client has no methods for them:
 * plain, batch and groups forms answer like the Query API equivalents, in the legacy shapes
 * (bare lists of scored points, `limit` required).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { QdrantClient } from '@qdrant/js-client-rest';
import { errorText, raw, startPlainVector, type PlainVector } from './harness.js';

let server: PlainVector;
let client: QdrantClient;

before(async () => {
  server = await startPlainVector();
  client = new QdrantClient({ url: server.url, checkCompatibility: false });
  await client.createCollection('leg', { vectors: { v: { size: 3, distance: 'Cosine' } }, sparse_vectors: { s: {} } });
  const points = Array.from({ length: 60 }, (_, i) => ({
    id: i + 1,
    vector: { v: [Math.sin(i), Math.cos(i), (i % 5) / 5], s: { indices: [i % 10, 10 + (i % 3)], values: [1, 0.5] } },
    payload: { group: i % 4, city: i % 2 === 0 ? 'even' : 'odd' },
  }));
  await client.upsert('leg', { wait: true, points });
  await client.createCollection('lookup', { vectors: { size: 1, distance: 'Dot' } });
  await client.upsert('lookup', { wait: true, points: [0, 1, 2, 3].map((g) => ({ id: g, vector: [1], payload: { name: `g${g}` } })) });
});

after(async () => {
  await server?.close();
});

async function post(path: string, body: unknown): Promise<unknown> {
  const r = await raw('POST', `${server.url}/collections/leg/points/${path}`, body);
  assert.equal(r.status, 200, r.text);
  return (r.json as { result: unknown }).result;
}

const V = [0.2, 0.9, 0.4];

test('search (dense and sparse named vectors) equals query', async () => {
  const legacy = await post('search', { vector: { name: 'v', vector: V }, limit: 7, with_payload: true, filter: { must: [{ key: 'city', match: { value: 'odd' } }] } });
  const query = await client.query('leg', { query: V, using: 'v', limit: 7, with_payload: true, filter: { must: [{ key: 'city', match: { value: 'odd' } }] } });
  assert.deepEqual(legacy, query.points);
  const sparse = await post('search', { vector: { name: 's', vector: { indices: [3, 11], values: [1, 1] } }, limit: 5 });
  const sparseQuery = await client.query('leg', { query: { indices: [3, 11], values: [1, 1] }, using: 's', limit: 5 });
  assert.deepEqual(sparse, sparseQuery.points);
});

test('search batch and groups', async () => {
  const batch = (await post('search/batch', { searches: [{ vector: { name: 'v', vector: V }, limit: 2 }, { vector: { name: 'v', vector: [1, 0, 0] }, limit: 3, offset: 1 }] })) as unknown[][];
  assert.equal(batch.length, 2);
  assert.equal(batch[0]!.length, 2);
  assert.equal(batch[1]!.length, 3);
  const groups = (await post('search/groups', { vector: { name: 'v', vector: V }, group_by: 'group', group_size: 2, limit: 3, with_lookup: 'lookup' })) as { groups: Array<{ id: number; hits: unknown[]; lookup: { id: number; payload: { name: string } } }> };
  assert.equal(groups.groups.length, 3);
  for (const g of groups.groups) {
    assert.equal(g.hits.length, 2);
    assert.deepEqual(g.lookup, { id: g.id, payload: { name: `g${g.id}` } });
  }
  const viaQuery = await client.queryGroups('leg', { query: V, using: 'v', group_by: 'group', group_size: 2, limit: 3 });
  assert.deepEqual(
    groups.groups.map((g) => [g.id, g.hits]),
    viaQuery.groups.map((g) => [g.id, g.hits]),
  );
});

test('recommend (ids and vectors, both strategies), batch and groups', async () => {
  const avg = await post('recommend', { positive: [1, 2], negative: [3], using: 'v', limit: 5 });
  const avgQuery = await client.query('leg', { query: { recommend: { positive: [1, 2], negative: [3] } }, using: 'v', limit: 5 });
  assert.deepEqual(avg, avgQuery.points);
  const best = await post('recommend', { positive: [1, V], strategy: 'best_score', using: 'v', limit: 5, with_payload: ['group'] });
  const bestQuery = await client.query('leg', { query: { recommend: { positive: [1, V], strategy: 'best_score' } }, using: 'v', limit: 5, with_payload: ['group'] });
  assert.deepEqual(best, bestQuery.points);
  assert.ok(!(best as Array<{ id: number }>).some((p) => p.id === 1), 'examples are not recommended');
  const batch = (await post('recommend/batch', { searches: [{ positive: [4], using: 'v', limit: 1 }, { positive: [5], negative: [6], using: 'v', limit: 2 }] })) as unknown[][];
  assert.deepEqual(
    batch.map((b) => b.length),
    [1, 2],
  );
  const groups = (await post('recommend/groups', { positive: [1], using: 'v', group_by: 'group', group_size: 1, limit: 4 })) as { groups: Array<{ hits: unknown[] }> };
  assert.equal(groups.groups.length, 4);
});

test('discover (target + context) and context-only, batch', async () => {
  const discover = await post('discover', { target: 2, context: [{ positive: 3, negative: 4 }], using: 'v', limit: 6 });
  const discoverQuery = await client.query('leg', { query: { discover: { target: 2, context: [{ positive: 3, negative: 4 }] } }, using: 'v', limit: 6 });
  assert.deepEqual(discover, discoverQuery.points);
  const context = (await post('discover', { context: [{ positive: 3, negative: 4 }], using: 'v', limit: 60 })) as Array<{ id: number; score: number }>;
  const contextQuery = await client.query('leg', { query: { context: [{ positive: 3, negative: 4 }] }, using: 'v', limit: 60 });
  assert.deepEqual(new Set(context.map((p) => p.id)), new Set(contextQuery.points.map((p) => p.id)));
  const batch = (await post('discover/batch', { searches: [{ target: 2, context: [{ positive: 3, negative: 4 }], using: 'v', limit: 2 }] })) as unknown[][];
  assert.equal(batch[0]!.length, 2);
});

test('legacy errors: limit is required; recommend needs examples; unknown names', async () => {
  const cases: Array<{ path: string; body: unknown; status: number; message: string | RegExp }> = [
    { path: 'search', body: { vector: { name: 'v', vector: V } }, status: 400, message: /^Format error in JSON body: missing field `limit`/ },
    { path: 'recommend', body: { negative: [1], using: 'v', limit: 3 }, status: 400, message: 'Bad request: At least one positive vector ID required with this strategy' },
    { path: 'recommend', body: { positive: [999999], using: 'v', limit: 3 }, status: 404, message: 'Not found: No point with id 999999 found' },
    { path: 'search', body: { vector: { name: 'zz', vector: V }, limit: 3 }, status: 400, message: 'Wrong input: Not existing vector name error: zz' },
    { path: 'discover', body: { using: 'v', limit: 3 }, status: 400, message: /^Bad request: / },
  ];
  for (const c of cases) {
    const r = await raw('POST', `${server.url}/collections/leg/points/${c.path}`, c.body);
    assert.equal(r.status, c.status, `${c.path}: ${r.text}`);
    if (typeof c.message === 'string') assert.equal(errorText(r), c.message);
    else assert.match(errorText(r) ?? '', c.message);
  }
});
