/**
 * Errors as Qdrant gives them (status codes and messages in the `{"status": {"error": …}}`
 * envelope), the service endpoints, and that no input takes the process down.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { QdrantClient } from '@qdrant/js-client-rest';
import { errorText, raw, startPlainVector, type PlainVector, type RawResponse } from './harness.js';
import { buildVectorApp, Engine } from '../../../src/vector/main.js';
import { silentLogger } from '../../../src/core/log.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';

let server: PlainVector;
let client: QdrantClient;
let base: string;

before(async () => {
  server = await startPlainVector();
  base = server.url;
  client = new QdrantClient({ url: base, checkCompatibility: false });
  await client.createCollection('c', { vectors: { size: 4, distance: 'Cosine' } });
  await client.createCollection('named', { vectors: { a: { size: 2, distance: 'Dot' } } });
  await client.upsert('c', { wait: true, points: [{ id: 1, vector: [1, 2, 3, 4], payload: { k: 'v' } }] });
});

after(async () => {
  await server?.close();
});

function assertError(r: RawResponse, status: number, message: string | RegExp): void {
  assert.equal(r.status, status, r.text);
  const text = errorText(r);
  if (typeof message === 'string') assert.equal(text, message);
  else assert.match(text ?? '', message);
  assert.equal(typeof (r.json as { time?: unknown }).time, 'number');
  assert.equal((r.json as { result?: unknown }).result, undefined);
  assert.match(String(r.headers['content-type']), /application\/json/);
}

test('the client surfaces Qdrant status codes and messages', async () => {
  await assert.rejects(client.getCollection('missing'), (err: { status?: number; data?: { status?: { error?: string } } }) => {
    assert.equal(err.status, 404);
    assert.equal(err.data?.status?.error, 'Not found: Collection `missing` doesn\'t exist!');
    return true;
  });
  await assert.rejects(client.createCollection('c', { vectors: { size: 4, distance: 'Cosine' } }), (err: { status?: number; data?: { status?: { error?: string } } }) => {
    assert.equal(err.status, 409);
    assert.equal(err.data?.status?.error, 'Wrong input: Collection `c` already exists!');
    return true;
  });
  await assert.rejects(client.upsert('c', { wait: true, points: [{ id: 2, vector: [1, 2, 3] }] }), (err: { status?: number; data?: { status?: { error?: string } } }) => {
    assert.equal(err.status, 400);
    assert.equal(err.data?.status?.error, 'Wrong input: Vector dimension error: expected dim: 4, got 3');
    return true;
  });
});

const cases: Array<{ name: string; method: string; path: string; body?: unknown; status: number; message: string | RegExp }> = [
  { name: 'missing collection', method: 'POST', path: '/collections/nope/points/scroll', body: {}, status: 404, message: "Not found: Collection `nope` doesn't exist!" },
  { name: 'existing collection', method: 'PUT', path: '/collections/c', body: { vectors: { size: 4, distance: 'Cosine' } }, status: 409, message: 'Wrong input: Collection `c` already exists!' },
  { name: 'dimension mismatch on upsert', method: 'PUT', path: '/collections/c/points?wait=true', body: { points: [{ id: 3, vector: [1, 2] }] }, status: 400, message: 'Wrong input: Vector dimension error: expected dim: 4, got 2' },
  { name: 'dimension mismatch on query', method: 'POST', path: '/collections/c/points/query', body: { query: [1, 2, 3, 4, 5] }, status: 400, message: 'Wrong input: Vector dimension error: expected dim: 4, got 5' },
  { name: 'dimension mismatch on search', method: 'POST', path: '/collections/c/points/search', body: { vector: [1], limit: 3 }, status: 400, message: 'Wrong input: Vector dimension error: expected dim: 4, got 1' },
  { name: 'batch with fewer vectors than ids', method: 'PUT', path: '/collections/c/points', body: { batch: { ids: [5, 6], vectors: [[1, 2, 3, 4]] } }, status: 422, message: /^Validation error in JSON body: \[batch\.vectors: / },
  { name: 'unknown vector name', method: 'POST', path: '/collections/named/points/query', body: { query: [1, 2], using: 'b' }, status: 400, message: 'Wrong input: Not existing vector name error: b' },
  { name: 'unnamed query on a named collection', method: 'POST', path: '/collections/named/points/query', body: { query: [1, 2] }, status: 400, message: 'Wrong input: Not existing vector name error: ' },
  { name: 'bad JSON', method: 'PUT', path: '/collections/c/points', body: '{"points": [{"id": 1,', status: 400, message: /^Format error in JSON body: / },
  { name: 'empty body', method: 'POST', path: '/collections/c/points/scroll', body: '', status: 400, message: 'Format error in JSON body: EOF while parsing a value at line 1 column 0' },
  { name: 'wrong type', method: 'POST', path: '/collections/c/points/scroll', body: { limit: 'ten' }, status: 400, message: /^Format error in JSON body: invalid type: string "ten"/ },
  { name: 'missing required field', method: 'POST', path: '/collections/c/points/search', body: { vector: [1, 2, 3, 4] }, status: 400, message: /^Format error in JSON body: missing field `limit`/ },
  { name: 'unknown distance', method: 'PUT', path: '/collections/d', body: { vectors: { size: 4, distance: 'cosine' } }, status: 400, message: /^Format error in JSON body: / },
  { name: 'invalid filter condition', method: 'POST', path: '/collections/c/points/count', body: { filter: { must: [{ nonsense: 1 }] } }, status: 400, message: /^Format error in JSON body: / },
  { name: 'scroll limit 0', method: 'POST', path: '/collections/c/points/scroll', body: { limit: 0 }, status: 422, message: 'Validation error in JSON body: [limit: value 0 invalid, must be 1 or larger]' },
  { name: 'query limit 0', method: 'POST', path: '/collections/c/points/query', body: { query: [1, 2, 3, 4], limit: 0 }, status: 422, message: 'Validation error in JSON body: [internal.limit: value 0 invalid, must be 1 or larger]' },
  { name: 'vector too large', method: 'PUT', path: '/collections/huge', body: { vectors: { size: 70000, distance: 'Dot' } }, status: 422, message: 'Validation error in JSON body: [vectors.size: value 70000 invalid, must be from 1 to 65536]' },
  { name: 'payload update without points or filter', method: 'POST', path: '/collections/c/points/payload', body: { payload: { a: 1 } }, status: 422, message: /^Validation error in JSON body: / },
  { name: 'invalid id in body', method: 'PUT', path: '/collections/c/points', body: { points: [{ id: 'abc', vector: [1, 2, 3, 4] }] }, status: 400, message: 'Format error in JSON body: value abc is not a valid point ID, valid values are either an unsigned integer or a UUID' },
  { name: 'negative id', method: 'POST', path: '/collections/c/points', body: { ids: [-5] }, status: 400, message: 'Format error in JSON body: value -5 is not a valid point ID, valid values are either an unsigned integer or a UUID' },
  { name: 'invalid id in path', method: 'GET', path: '/collections/c/points/abc', status: 400, message: 'Wrong input: Can not recognize "abc" as point id' },
  { name: 'query by missing id', method: 'POST', path: '/collections/c/points/query', body: { query: 999 }, status: 404, message: 'Not found: No point with id 999 found' },
  { name: 'bad wait parameter', method: 'PUT', path: '/collections/c/points?wait=yes', body: { points: [] }, status: 400, message: 'Deserialize error in query parameters: provided string was not `true` or `false`' },
  { name: 'forbidden collection name', method: 'PUT', path: '/collections/a:b', body: { vectors: { size: 4, distance: 'Dot' } }, status: 422, message: 'Validation error in path parameters: [name: collection name cannot contain ":" char]' },
  { name: 'unknown query kind', method: 'POST', path: '/collections/c/points/query', body: { query: { telepathy: true } }, status: 400, message: 'Format error in JSON body: Expected some form of vector, id, or a type of query' },
  { name: 'formula without prefetch', method: 'POST', path: '/collections/c/points/query', body: { query: { formula: { sum: ['$score', 1] } } }, status: 400, message: 'Bad request: cannot apply Formula without prefetches' },
  { name: 'inference objects refused', method: 'POST', path: '/collections/c/points/query', body: { query: { text: 'hello', model: 'bm25' } }, status: 400, message: /^Bad request: Inference is not supported/ },
  { name: 'prefetch without a query', method: 'POST', path: '/collections/c/points/query', body: { prefetch: [{ query: [1, 2, 3, 4] }] }, status: 400, message: "Bad request: A query is needed to merge the prefetches. Can't have prefetches without defining a query." },
  { name: 'score_threshold without a query', method: 'POST', path: '/collections/c/points/query', body: { score_threshold: 10 }, status: 400, message: "Bad request: A query is needed to use the score_threshold. Can't have score_threshold without defining a query." },
  { name: 'fusion without prefetch', method: 'POST', path: '/collections/c/points/query', body: { query: { fusion: 'rrf' } }, status: 400, message: 'Bad request: cannot apply Fusion without prefetches' },
  { name: 'recommend without examples', method: 'POST', path: '/collections/c/points/query', body: { query: { recommend: { strategy: 'best_score' } } }, status: 400, message: 'Bad request: At least one positive or negative vector ID required with this strategy' },
  { name: 'query by a missing point id', method: 'POST', path: '/collections/c/points/query', body: { query: 999 }, status: 404, message: 'Not found: No point with id 999 found' },
];

for (const c of cases) {
  test(`error: ${c.name} → ${c.status}`, async () => {
    assertError(await raw(c.method, `${base}${c.path}`, c.body), c.status, c.message);
  });
}

test('a failed request changes nothing and the server keeps serving', async () => {
  assert.equal((await client.count('c')).count, 1);
  assert.equal((await raw('GET', `${base}/healthz`)).status, 200);
  const [rec] = await client.retrieve('c', { ids: [1], with_payload: true });
  assert.deepEqual(rec?.payload, { k: 'v' });
});

test('unknown routes are a bare 404, wrong content types a 400', async () => {
  const r = await raw('GET', `${base}/nothing/here`);
  assert.equal(r.status, 404);
  const form = await raw('POST', `${base}/collections/c/points/scroll`, 'limit=1', { 'content-type': 'application/x-www-form-urlencoded' });
  assertError(form, 400, /Content type error/);
});

test('service endpoints: version, health probes as text, metrics, request ids', async () => {
  const root = await raw('GET', `${base}/`);
  assert.deepEqual(root.json, { title: 'qdrant - vector search engine', version: '1.19.0', commit: null });
  for (const [path, text] of [
    ['/healthz', 'healthz check passed'],
    ['/livez', 'healthz check passed'],
    ['/readyz', 'all shards are ready'],
  ] as const) {
    const r = await raw('GET', `${base}${path}`);
    assert.equal(r.status, 200);
    assert.equal(r.text, text);
    assert.match(String(r.headers['content-type']), /^text\/plain/);
  }
  const tagged = await raw('GET', `${base}/collections`, undefined, { 'x-request-id': 'req-abc-123' });
  assert.equal(tagged.headers['x-request-id'], 'req-abc-123');
  const metrics = await raw('GET', `${base}/metrics`);
  assert.match(metrics.text, /^app_info\{name="qdrant",version="1\.19\.0"\} 1$/m);
  assert.match(metrics.text, /^collections_total 2$/m);
  assert.match(metrics.text, /^collection_points\{collection="c"\} 1$/m);
  assert.match(metrics.text, /^cluster_enabled 0$/m);
  assert.match(metrics.text, /^rest_responses_total\{method="GET",endpoint="\/collections",status="200"\} \d+$/m);
  assert.match(metrics.text, /^rest_responses_fail_total\{method="POST",endpoint="\/collections\/\{name\}\/points\/scroll",status="404"\} [1-9]\d*$/m);
  assert.match(metrics.text, /^rest_responses_avg_duration_seconds\{method="GET",endpoint="\/collections",status="200"\} [\d.e-]+$/m);
  assert.match(metrics.text, /^rest_responses_duration_seconds_bucket\{le="0\.001",method="GET",endpoint="\/collections"\}/m);
  assert.match(metrics.text, /^memory_resident_bytes \d+$/m);
});

test('bodies over the limit are refused with a clear error, and the next request is served', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'phoenix-vector-limit-'));
  const engine = Engine.open(dir);
  const app = buildVectorApp(engine, { logger: silentLogger(), bodyLimitBytes: 1024 });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  try {
    await raw('PUT', `${url}/collections/x`, { vectors: { size: 4, distance: 'Dot' } });
    const big = { points: Array.from({ length: 100 }, (_, id) => ({ id, vector: [1, 2, 3, 4] })) };
    const r = await raw('PUT', `${url}/collections/x/points`, big);
    assertError(r, 413, /is larger than allowed \(limit: 1024 bytes\)/);
    assert.equal((await raw('GET', `${url}/collections/x`)).status, 200);
  } finally {
    await app.close();
    engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the default body limit is Qdrant’s 32 MB: a 31 MB upsert is taken, a 33 MB one is refused', async () => {
  const MB = 1024 * 1024;
  const body = (size: number) => JSON.stringify({ points: [{ id: 99, vector: [1, 2, 3, 4], payload: { blob: 'x'.repeat(size) } }] });
  const accepted = await raw('PUT', `${base}/collections/c/points?wait=true`, body(31 * MB));
  assert.equal(accepted.status, 200, accepted.text.slice(0, 200));
  const [stored] = await client.retrieve('c', { ids: [99], with_payload: true });
  assert.equal((stored!.payload as { blob: string }).blob.length, 31 * MB);
  const refused = await raw('PUT', `${base}/collections/c/points?wait=true`, body(33 * MB));
  assertError(refused, 413, /is larger than allowed \(limit: 33554432 bytes\)/);
  await client.delete('c', { wait: true, points: [99] });
  assert.equal((await raw('GET', `${base}/healthz`)).status, 200);
});

test('requests are logged as JSON with their x-request-id', async () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const dir = mkdtempSync(join(tmpdir(), 'phoenix-vector-log-'));
  const engine = Engine.open(dir);
  const app = buildVectorApp(engine, { logger: pino({ level: 'info' }, sink) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  try {
    await raw('GET', `${url}/collections/absent`, undefined, { 'x-request-id': 'trace-me-42' });
    const mine = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.requestId === 'trace-me-42');
    assert.ok(mine.some((l) => l.msg === 'incoming request'), lines.join('\n'));
    assert.ok(mine.some((l) => l.msg === 'request completed' && (l.res as { statusCode?: number }).statusCode === 404));
  } finally {
    await app.close();
    engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('collection names of up to 255 characters are routed; longer ones get Qdrant\'s validation error', async () => {
  const long = 'n'.repeat(255);
  assert.equal((await raw('PUT', `${base}/collections/${long}`, { vectors: { size: 2, distance: 'Dot' } })).status, 200);
  assert.equal((await raw('GET', `${base}/collections/${long}/exists`)).status, 200);
  assertError(await raw('PUT', `${base}/collections/${long}x`, { vectors: { size: 2, distance: 'Dot' } }), 422, /^Validation error in path parameters: \[name: /);
});

test('numbers out of f32/JSON range are refused, not stored', async () => {
  const r = await raw('PUT', `${base}/collections/c/points`, '{"points": [{"id": 5, "vector": [1e400, 0, 0, 0]}]}');
  assertError(r, 400, /^Format error in JSON body: /);
});

test('a JSON content type with an empty body is fine where no body is needed', async () => {
  await client.createCollection('to_drop', { vectors: { size: 2, distance: 'Dot' } });
  const r = await raw('DELETE', `${base}/collections/to_drop`, '');
  assert.equal(r.status, 200, r.text);
  assert.equal((r.json as { result: unknown }).result, true);
});
