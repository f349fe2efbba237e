/**
 * The official Qdrant JS client against the engine's API: exact top-10 for `query` and the legacy
 * `search` (checked against a brute force computed here) for every distance, at 4 and 32
 * dimensions, with and without filters; scroll paging; exact counts.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { QdrantClient } from '@qdrant/js-client-rest';
import { errorText, raw, seededRandom, startPlainVector, type PlainVector } from './harness.js';
import { bruteTopK, compareIds, FILTERS, makePoints, randomVector, type Distance, type Id, type TestPoint } from './data.js';

const DISTANCES: Distance[] = ['Cosine', 'Dot', 'Euclid', 'Manhattan'];
const DIMS = [4, 32];
const COUNT = 2000;

let server: PlainVector;
let client: QdrantClient;
const warnings: string[] = [];
const originalWarn = console.warn;
const datasets = new Map<string, { distance: Distance; dim: number; points: TestPoint[] }>();

function closeEnough(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-4 * Math.max(1, Math.abs(a), Math.abs(b));
}

before(async () => {
  console.warn = (...args: unknown[]) => {
    warnings.push(args.map(String).join(' '));
  };
  server = await startPlainVector();
  client = new QdrantClient({ url: server.url, checkCompatibility: true });
  let seed = 1;
  for (const distance of DISTANCES) {
    for (const dim of DIMS) {
      const name = `${distance.toLowerCase()}_${dim}`;
      assert.equal(await client.createCollection(name, { vectors: { size: dim, distance } }), true);
      const points = makePoints(seed++, COUNT, dim);
      // Batches of 250, alternating the points-list and the batch (columnar) upsert forms.
      for (let start = 0, batch = 0; start < COUNT; start += 250, batch++) {
        const slice = points.slice(start, start + 250);
        const res =
          batch % 2 === 0
            ? await client.upsert(name, { wait: true, points: slice.map((p) => ({ id: p.id, vector: Array.from(p.vector), payload: p.payload })) })
            : await client.upsert(name, { wait: true, batch: { ids: slice.map((p) => p.id), vectors: slice.map((p) => Array.from(p.vector)), payloads: slice.map((p) => p.payload) } });
        assert.equal(res.status, 'completed');
      }
      datasets.set(name, { distance, dim, points });
    }
  }
});

after(async () => {
  console.warn = originalWarn;
  await server?.close();
});

test('the client finds a compatible server version (GET / answers 1.19.0)', async () => {
  const info = await client.versionInfo();
  assert.equal(info.title, 'qdrant - vector search engine');
  assert.equal(info.version, '1.19.0');
  assert.deepEqual(
    warnings.filter((w) => /incompatible|Failed to obtain/.test(w)),
    [],
  );
});

test('collection info reports the points, the config and status green', async () => {
  for (const [name, d] of datasets) {
    const info = await client.getCollection(name);
    assert.equal(info.status, 'green');
    assert.equal(info.points_count, COUNT);
    assert.deepEqual(info.config.params.vectors, { size: d.dim, distance: d.distance });
    assert.deepEqual(info.payload_schema, {});
  }
  const { collections } = await client.getCollections();
  assert.deepEqual(collections.map((c) => c.name).sort(), [...datasets.keys()].sort());
});

test('query and search return exactly the brute-force top-10, every distance, 4 and 32 dims, with and without filters', async () => {
  const rand = seededRandom(99);
  let checked = 0;
  for (const [name, d] of datasets) {
    for (const f of FILTERS) {
      for (let q = 0; q < 2; q++) {
        const vector = randomVector(rand, d.dim);
        const expected = bruteTopK(d.distance, d.points, vector, f.keep);
        assert.equal(expected.length, 10, 'every filter leaves more than 10 candidates');
        const filter = f.filter ? { filter: f.filter } : {};

        const viaQuery = await client.query(name, { query: q === 0 ? vector : { nearest: vector }, limit: 10, with_payload: true, ...filter });
        assert.deepEqual(
          viaQuery.points.map((p) => p.id),
          expected.map((e) => e.id),
          `${name} query, ${f.name}`,
        );
        viaQuery.points.forEach((p, i) => assert.ok(closeEnough(p.score, expected[i]!.score), `${name} score ${p.score} vs ${expected[i]!.score}`));
        for (const p of viaQuery.points) assert.ok(f.keep({ id: p.id, vector: new Float32Array(), payload: p.payload as TestPoint['payload'] }), 'payload satisfies the filter');

        // The 1.19 client no longer wraps the legacy search endpoint; Qdrant still serves it.
        const viaSearch = await raw('POST', `${server.url}/collections/${name}/points/search`, { vector, limit: 10, ...filter });
        assert.equal(viaSearch.status, 200, errorText(viaSearch));
        const hits = (viaSearch.json as { result: Array<{ id: Id; score: number; payload?: unknown }> }).result;
        assert.deepEqual(
          hits.map((h) => h.id),
          expected.map((e) => e.id),
          `${name} search, ${f.name}`,
        );
        assert.equal(hits[0]!.payload, undefined, 'search returns no payload unless asked');
        checked += 2;
      }
    }
    // Euclid/Manhattan report distances (ascending), Cosine/Dot similarities (descending).
    const res = await client.query(name, { query: randomVector(rand, d.dim), limit: 5 });
    const scores = res.points.map((p) => p.score);
    const sorted = [...scores].sort((a, b) => (d.distance === 'Euclid' || d.distance === 'Manhattan' ? a - b : b - a));
    assert.deepEqual(scores, sorted, `${name} order`);
  }
  assert.equal(checked, datasets.size * FILTERS.length * 4);
});

test('offset, score_threshold and query by point id behave like Qdrant', async () => {
  const rand = seededRandom(7);
  for (const [name, d] of datasets) {
    const vector = randomVector(rand, d.dim);
    const top = bruteTopK(d.distance, d.points, vector, () => true, 15);
    const page = await client.query(name, { query: vector, limit: 5, offset: 10 });
    assert.deepEqual(
      page.points.map((p) => p.id),
      top.slice(10, 15).map((t) => t.id),
      `${name} offset`,
    );

    // The threshold as the engine reports the 5th score (an f32, printed shortest).
    const threshold = (await client.query(name, { query: vector, limit: 5 })).points[4]!.score;
    const above = await client.query(name, { query: vector, limit: 50, score_threshold: threshold });
    assert.deepEqual(
      above.points.map((p) => p.id),
      top.slice(0, 5).map((t) => t.id),
      `${name} score_threshold keeps results at least as good as it`,
    );

    // Query by id: the point's own (stored) vector, the point itself excluded.
    const source = d.points[123]!;
    const byId = await client.query(name, { query: source.id, limit: 10 });
    const expected = bruteTopK(d.distance, d.points, Array.from(source.vector), (p) => p.id !== source.id);
    assert.deepEqual(
      byId.points.map((p) => p.id),
      expected.map((e) => e.id),
      `${name} query by id`,
    );
  }
});

test('scroll with next_page_offset visits every point exactly once, integers before UUIDs', async () => {
  const { points } = datasets.get('dot_32')!;
  const seen: Id[] = [];
  let offset: Id | null | undefined;
  let pages = 0;
  do {
    const page = await client.scroll('dot_32', { limit: 170, with_payload: false, ...(offset !== undefined && offset !== null ? { offset } : {}) });
    assert.ok(page.points.length <= 170);
    for (const p of page.points) assert.equal(p.payload, undefined);
    seen.push(...page.points.map((p) => p.id));
    offset = page.next_page_offset as Id | null | undefined;
    pages++;
  } while (offset !== null && offset !== undefined && pages < 100);
  assert.equal(pages, Math.ceil(COUNT / 170));
  assert.equal(new Set(seen).size, COUNT, 'no point twice');
  assert.deepEqual(seen, points.map((p) => p.id).sort(compareIds));

  // Filtered scroll pages only through matches.
  const paris = points.filter((p) => p.payload.city === 'Paris').map((p) => p.id).sort(compareIds);
  const got: Id[] = [];
  offset = undefined;
  do {
    const page = await client.scroll('dot_32', { limit: 37, filter: { must: [{ key: 'city', match: { value: 'Paris' } }] }, ...(offset !== undefined && offset !== null ? { offset } : {}) });
    for (const p of page.points) assert.equal((p.payload as TestPoint['payload']).city, 'Paris');
    got.push(...page.points.map((p) => p.id));
    offset = page.next_page_offset as Id | null | undefined;
  } while (offset !== null && offset !== undefined);
  assert.deepEqual(got, paris);
});

test('count with a filter is exact', async () => {
  for (const [name, d] of datasets) {
    for (const f of FILTERS) {
      const res = await client.count(name, { exact: true, ...(f.filter ? { filter: f.filter } : {}) });
      assert.equal(res.count, d.points.filter(f.keep).length, `${name} count, ${f.name}`);
    }
  }
});
