/**
 * No input takes the engine down: every route of the Qdrant 1.19 spec (plus the legacy families)
 * gets random JSON, mutated valid bodies, malformed text, odd content types, absurd nesting and
 * random path parameters. Every answer must be below 500 and, when it is an error, Qdrant's error
 * envelope; afterwards the process still answers and an untouched collection is unchanged.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { QdrantClient } from '@qdrant/js-client-rest';
import { raw, startPlainVector, type PlainVector } from './harness.js';

let server: PlainVector;
let client: QdrantClient;

interface Route {
  method: string;
  path: string;
}

const LEGACY = ['search', 'search/batch', 'search/groups', 'recommend', 'recommend/batch', 'recommend/groups', 'discover', 'discover/batch'].map((p) => ({ method: 'POST', path: `/collections/{collection_name}/points/${p}` }));

function specRoutes(): Route[] {
  const spec = JSON.parse(readFileSync('/work/shared/reference/qdrant-openapi-1.19.json', 'utf8')) as { paths: Record<string, Record<string, unknown>> };
  const out: Route[] = [];
  for (const [path, ops] of Object.entries(spec.paths)) for (const method of Object.keys(ops)) out.push({ method: method.toUpperCase(), path });
  return [...out, ...LEGACY].filter((r) => !(r.method === 'DELETE' && r.path === '/collections/{collection_name}'));
}

const PARAMS: Record<string, string> = { collection_name: 'fz', id: '1', field_name: 'f', vector_name: 'extra', snapshot_name: 'nothing.snapshot', shard_id: '0', peer_id: '1' };

function url(route: Route, params: Record<string, string> = PARAMS): string {
  return route.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? 'x'));
}

/** Valid-looking bodies to mutate, by path suffix. */
const SEEDS: Array<[RegExp, unknown]> = [
  [/points$/, { points: [{ id: 1, vector: [0.1, 0.2], payload: { a: 1 } }] }],
  [/query$/, { query: [0.1, 0.2], limit: 3, filter: { must: [{ key: 'a', match: { value: 1 } }] } }],
  [/query\/groups$/, { query: [0.1, 0.2], group_by: 'a', limit: 2 }],
  [/search$/, { vector: [0.1, 0.2], limit: 3 }],
  [/recommend$/, { positive: [1], limit: 3 }],
  [/scroll$/, { limit: 2, filter: { should: [{ key: 'a', range: { gte: 0 } }] } }],
  [/batch$/, { operations: [{ upsert: { points: [{ id: 2, vector: [1, 1] }] } }] }],
  [/aliases$/, { actions: [{ create_alias: { collection_name: 'fz', alias_name: 'fz-alias' } }] }],
  [/index$/, { field_name: 'a', field_schema: 'integer' }],
  [/payload$/, { payload: { b: 2 }, points: [1] }],
];

function seedFor(path: string): unknown {
  return SEEDS.find(([re]) => re.test(path))?.[1] ?? { limit: 1 };
}

/** Replaces one randomly chosen place of a JSON value by another random value. */
function mutate(value: unknown, replacement: unknown, choose: number): unknown {
  if (value === null || typeof value !== 'object') return replacement;
  const keys = Object.keys(value);
  if (keys.length === 0 || choose % 5 === 0) return replacement;
  const key = keys[choose % keys.length]!;
  const copy = (Array.isArray(value) ? [...value] : { ...value }) as Record<string, unknown>;
  copy[key] = mutate(copy[key], replacement, Math.floor(choose / 7));
  return copy;
}

const MALFORMED = [
  '{',
  '{"points": [',
  '[]',
  'null',
  '"text"',
  '12',
  '{"limit": 1e400}',
  '{"limit": -1}',
  '{"filter": {"must": [{"key": "a", "match": {"value": 1.5}}]}}',
  '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}}',
  '{"query": [NaN]}',
  '\u0000\u0001',
  `${'['.repeat(100000)}${']'.repeat(100000)}`,
  `{"filter": ${'{"must": ['.repeat(3000)}{"key": "a", "match": {"value": 1}}${']}'.repeat(3000)}}`,
  `{"filter": ${'{"must": ['.repeat(60)}{"key": "a", "match": {"value": 1}}${']}'.repeat(60)}}`,
  JSON.stringify({ points: [{ id: 18446744073709551615, vector: [1, 2] }] }),
  JSON.stringify({ query: Array.from({ length: 100000 }, () => 1) }),
];

async function check(method: string, path: string, body: string | undefined, contentType = 'application/json'): Promise<void> {
  const r = await raw(method, `${server.url}${path}`, body, body === undefined ? {} : { 'content-type': contentType });
  assert.ok(r.status < 500, `${method} ${path} ${JSON.stringify(body?.slice(0, 200))} → ${r.status} ${r.text.slice(0, 300)}`);
  if (r.status >= 400 && r.text !== '') {
    const error = (r.json as { status?: { error?: unknown } } | undefined)?.status?.error;
    assert.equal(typeof error, 'string', `${method} ${path} → ${r.status} without Qdrant's error envelope: ${r.text.slice(0, 200)}`);
  }
}

before(async () => {
  server = await startPlainVector();
  client = new QdrantClient({ url: server.url, checkCompatibility: false });
  for (const name of ['fz', 'keep']) {
    await client.createCollection(name, { vectors: { size: 2, distance: 'Cosine' } });
    await client.upsert(name, { wait: true, points: Array.from({ length: 20 }, (_, i) => ({ id: i + 1, vector: [Math.cos(i), Math.sin(i)], payload: { a: i } })) });
  }
});

after(async () => {
  await server?.close();
});

test('every route of the spec exists (none answers the bare 404 of an unknown route)', async () => {
  for (const route of specRoutes()) {
    const r = await raw(route.method, `${server.url}${url(route)}`, route.method === 'GET' || route.method === 'DELETE' ? undefined : '{}');
    assert.ok(!(r.status === 404 && r.text === ''), `${route.method} ${route.path} is not served`);
  }
});

test('random and mutated JSON bodies at every route: never 5xx, errors in the envelope', async () => {
  const routes = specRoutes();
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 0, max: routes.length - 1 }), fc.jsonValue({ maxDepth: 4 }), fc.nat(), fc.boolean(), async (which, value, choose, mutateSeed) => {
      const route = routes[which]!;
      const body = mutateSeed ? mutate(seedFor(route.path), value, choose) : value;
      await check(route.method, url(route), JSON.stringify(body));
    }),
    { numRuns: 1500, seed: 20260301 },
  );
});

test('malformed text, odd content types, absurd nesting and random path parameters', async () => {
  const routes = specRoutes().filter((r) => r.method !== 'GET');
  for (const route of routes) {
    for (const text of MALFORMED) await check(route.method, url(route), text);
    await check(route.method, url(route), '{"a":1}', 'text/plain');
    await check(route.method, url(route), '<xml/>', 'application/xml');
  }
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 0, max: specRoutes().length - 1 }), fc.string({ maxLength: 300 }), fc.string({ maxLength: 40 }), async (which, name, id) => {
      const route = specRoutes()[which]!;
      await check(route.method, url(route, { ...PARAMS, collection_name: name || 'x', id: id || '0', snapshot_name: id || 'x' }), route.method === 'GET' ? undefined : '{}');
    }),
    { numRuns: 500, seed: 7 },
  );
});

test('afterwards the process answers and an untouched collection is unchanged', async () => {
  assert.equal((await raw('GET', `${server.url}/healthz`)).status, 200);
  assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution');
  const keep = await client.scroll('keep', { limit: 100, with_payload: true });
  assert.equal(keep.points.length, 20);
  assert.deepEqual(
    keep.points.map((p) => p.payload),
    Array.from({ length: 20 }, (_, i) => ({ a: i })),
  );
  const res = await client.query('keep', { query: [1, 0], limit: 1 });
  assert.equal(res.points[0]!.id, 1);
  // The destructive route last: deleting the fuzzed collection works and is answered.
  assert.equal(await client.deleteCollection('fz'), true);
});
