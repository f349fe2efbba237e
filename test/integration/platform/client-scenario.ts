/**
 * What a user does with the official Qdrant client against `phoenix up`, run as its own process
 * with NODE_EXTRA_CA_CERTS pointing at Phoenix's root — exactly as the README tells users.
 * Checks answers against brute force computed here; exits non-zero on any mismatch and prints a
 * JSON summary on success. Env: GATEWAY_URL, PHOENIX_API_KEY.
 */
import assert from 'node:assert/strict';
import { QdrantClient } from '@qdrant/js-client-rest';

const url = process.env['GATEWAY_URL'] as string;
const apiKey = process.env['PHOENIX_API_KEY'] as string;
const client = new QdrantClient({ url, apiKey });

const DIM = 8;
const N = 2000;
const CITIES = ['Berlin', 'Paris', 'Lisbon', 'Oslo', 'Rome'];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(42);
const randomVector = () => Array.from({ length: DIM }, () => rand() * 2 - 1);

interface P {
  id: number;
  vector: number[];
  payload: { city: string; n: number; tags: string[] };
}
const points: P[] = Array.from({ length: N }, (_, i) => ({
  id: i + 1,
  vector: randomVector(),
  payload: { city: CITIES[i % CITIES.length] as string, n: i, tags: i % 3 === 0 ? ['red', 'big'] : ['blue'] },
}));

const norm = (v: number[]) => {
  const l = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  return v.map((x) => x / l);
};
const cosine = (a: number[], b: number[]) => norm(a).reduce((s, x, i) => s + x * (norm(b)[i] as number), 0);

function bruteTop(q: number[], keep: (p: P) => boolean, k = 10): number[] {
  return points
    .filter(keep)
    .map((p) => ({ id: p.id, score: cosine(q, p.vector) }))
    .sort((a, b) => b.score - a.score || a.id - b.id)
    .slice(0, k)
    .map((x) => x.id);
}

async function legacySearch(collection: string, body: unknown): Promise<Array<{ id: number }>> {
  const res = await fetch(`${url}/collections/${collection}/points/search`, {
    method: 'POST',
    headers: { 'api-key': apiKey, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 200, await res.clone().text());
  return ((await res.json()) as { result: Array<{ id: number }> }).result;
}

async function main(): Promise<void> {
  const summary: Record<string, unknown> = {};

  // The README's example, verbatim in spirit.
  await client.createCollection('docs', { vectors: { size: 4, distance: 'Cosine' } });
  await client.upsert('docs', { wait: true, points: [{ id: 1, vector: [0.1, 0.2, 0.3, 0.4], payload: { city: 'Berlin' } }] });
  const readme = await client.query('docs', { query: [0.1, 0.2, 0.3, 0.4], limit: 3, filter: { must: [{ key: 'city', match: { value: 'Berlin' } }] } });
  assert.equal(readme.points.length, 1);
  assert.equal(readme.points[0]?.id, 1);

  await client.createCollection('bench', { vectors: { size: DIM, distance: 'Cosine' } });
  for (let i = 0; i < N; i += 250) {
    const res = await client.upsert('bench', { wait: true, points: points.slice(i, i + 250) });
    assert.equal(res.status, 'completed');
  }
  const info = await client.getCollection('bench');
  assert.equal(info.points_count, N);

  const filters: Array<{ name: string; filter?: Record<string, unknown>; keep: (p: P) => boolean }> = [
    { name: 'none', keep: () => true },
    { name: 'city=Berlin', filter: { must: [{ key: 'city', match: { value: 'Berlin' } }] }, keep: (p) => p.payload.city === 'Berlin' },
    { name: 'n<500', filter: { must: [{ key: 'n', range: { lt: 500 } }] }, keep: (p) => p.payload.n < 500 },
    {
      name: 'should Paris|Oslo, not red',
      filter: { should: [{ key: 'city', match: { value: 'Paris' } }, { key: 'city', match: { value: 'Oslo' } }], must_not: [{ key: 'tags', match: { value: 'red' } }] },
      keep: (p) => (p.payload.city === 'Paris' || p.payload.city === 'Oslo') && !p.payload.tags.includes('red'),
    },
    { name: 'city any Lisbon,Rome', filter: { must: [{ key: 'city', match: { any: ['Lisbon', 'Rome'] } }] }, keep: (p) => p.payload.city === 'Lisbon' || p.payload.city === 'Rome' },
  ];
  let queries = 0;
  for (const f of filters) {
    for (let q = 0; q < 6; q++) {
      const vector = randomVector();
      const expected = bruteTop(vector, f.keep);
      const viaQuery = await client.query('bench', { query: vector, limit: 10, ...(f.filter ? { filter: f.filter } : {}) });
      assert.deepEqual(viaQuery.points.map((p) => p.id), expected, `query top-10 with filter ${f.name}`);
      // The legacy search endpoint, which client 1.19 no longer wraps but older clients call.
      const viaSearch = await legacySearch('bench', { vector, limit: 10, ...(f.filter ? { filter: f.filter } : {}) });
      assert.deepEqual(viaSearch.map((p) => p.id), expected, `search top-10 with filter ${f.name}`);
      queries += 2;
    }
    const count = await client.count('bench', { exact: true, ...(f.filter ? { filter: f.filter } : {}) });
    assert.equal(count.count, points.filter(f.keep).length, `count with filter ${f.name}`);
  }
  summary['exactQueries'] = queries;

  const seen = new Map<number, number>();
  let offset: number | string | null | undefined = undefined;
  let pages = 0;
  do {
    const page: Awaited<ReturnType<typeof client.scroll>> = await client.scroll('bench', { limit: 300, with_payload: true, ...(offset !== undefined && offset !== null ? { offset } : {}) });
    for (const p of page.points) seen.set(Number(p.id), (seen.get(Number(p.id)) ?? 0) + 1);
    offset = page.next_page_offset as number | string | null | undefined;
    pages++;
  } while (offset !== null && offset !== undefined && pages < 100);
  assert.equal(seen.size, N, 'scroll visits every point');
  assert.ok([...seen.values()].every((n) => n === 1), 'scroll visits each point once');
  summary['scrollPages'] = pages;

  console.log(JSON.stringify({ ok: true, ...summary }));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack ?? err.message : err);
  process.exit(1);
});
