/**
 * The Query API through the official client, checked against results computed here: nearest by
 * vector and by id (the point itself left out), nested prefetch + rescoring (same answer as the
 * root query), rrf and dbsf fusion, recommend (average_vector, best_score, sum_scores), discover,
 * context, order_by, sample, score_threshold, offset, using, lookup_from, mmr, batch, groups with
 * with_lookup, and the distance matrix (pairs and offsets).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { QdrantClient } from '@qdrant/js-client-rest';
import { seededRandom, startPlainVector, type PlainVector } from './harness.js';

const N = 300;
let server: PlainVector;
let client: QdrantClient;

interface P {
  id: number;
  d: number[];
  e: number[];
  s: { indices: number[]; values: number[] };
  m: number[][];
  payload: { city: string; n: number; group: number; price: number };
}
const points: P[] = [];
const CITIES = ['Berlin', 'Paris', 'Oslo'];

function unit(v: number[]): number[] {
  const len = Math.sqrt(v.reduce((a, x) => a + x * x, 0));
  return v.map((x) => Math.fround(x / len));
}
const dot = (a: number[], b: number[]) => Math.fround(a.reduce((acc, x, i) => acc + x * b[i]!, 0));
const cos = (a: number[], b: number[]) => dot(unit(a), unit(b));
const negSqEuclid = (a: number[], b: number[]) => -a.reduce((acc, x, i) => acc + (x - b[i]!) ** 2, 0);
const sigmoid = (x: number) => x / (1 + Math.abs(x));
const scaledSigmoid = (x: number) => 0.5 * (sigmoid(x) + 1);

function top<T extends { id: number }>(items: T[], score: (t: T) => number, k: number): Array<{ id: number; score: number }> {
  return items
    .map((t) => ({ id: t.id, score: score(t) }))
    .sort((a, b) => b.score - a.score || a.id - b.id)
    .slice(0, k);
}

function ids(result: { points: Array<{ id: string | number }> } | Array<{ id: string | number }>): Array<string | number> {
  return (Array.isArray(result) ? result : result.points).map((p) => p.id);
}

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-4 * Math.max(1, Math.abs(a), Math.abs(b));
}

before(async () => {
  server = await startPlainVector();
  client = new QdrantClient({ url: server.url, checkCompatibility: false });
  const rand = seededRandom(42);
  const r = () => Math.fround(rand() * 2 - 1);
  for (let id = 1; id <= N; id++) {
    const idx = [...new Set(Array.from({ length: 3 }, () => Math.floor(rand() * 20)))].sort((a, b) => a - b);
    points.push({
      id,
      d: [r(), r(), r(), r()],
      e: [r(), r(), r(), r()],
      s: { indices: idx, values: idx.map(() => Math.fround(rand())) },
      m: [
        [r(), r()],
        [r(), r()],
      ],
      payload: { city: CITIES[id % 3]!, n: id % 50, group: id % 7, price: Math.round(rand() * 1000) / 10 },
    });
  }
  await client.createCollection('q', {
    vectors: { d: { size: 4, distance: 'Cosine' }, e: { size: 4, distance: 'Euclid' }, m: { size: 2, distance: 'Dot', multivector_config: { comparator: 'max_sim' } } },
    sparse_vectors: { s: {} },
  });
  await client.upsert('q', { wait: true, points: points.map((p) => ({ id: p.id, vector: { d: p.d, e: p.e, s: p.s, m: p.m }, payload: p.payload })) });
  await client.createPayloadIndex('q', { field_name: 'price', field_schema: 'float', wait: true });
  await client.createPayloadIndex('q', { field_name: 'group', field_schema: 'integer', wait: true });
  // Another collection to look vectors up from, and one keyed by group ids for with_lookup.
  await client.createCollection('other', { vectors: { v: { size: 4, distance: 'Cosine' } } });
  await client.upsert('other', { wait: true, points: [{ id: 9001, vector: { v: [1, 0, 0, 0] } }] });
  await client.createCollection('groups', { vectors: { size: 2, distance: 'Dot' } });
  await client.upsert('groups', { wait: true, points: Array.from({ length: 7 }, (_, g) => ({ id: g, vector: [1, 1], payload: { title: `group ${g}` } })) });
});

after(async () => {
  await server?.close();
});

const Q = [0.3, -0.2, 0.9, 0.1];

test('nearest: exact top-k by Cosine, and the same as the legacy search', async () => {
  const res = await client.query('q', { query: Q, using: 'd', limit: 10 });
  const expected = top(points, (p) => cos(Q, p.d), 10);
  assert.deepEqual(ids(res), expected.map((e) => e.id));
  res.points.forEach((p, i) => assert.ok(close(p.score, expected[i]!.score), `${p.score} vs ${expected[i]!.score}`));
  const legacy = await fetch(`${server.url}/collections/q/points/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ vector: { name: 'd', vector: Q }, limit: 10 }) });
  const legacyPoints = ((await legacy.json()) as { result: Array<{ id: number; score: number }> }).result;
  assert.deepEqual(legacyPoints, res.points);
});

test('nearest by id: the point’s own vector, the point itself left out', async () => {
  const res = await client.query('q', { query: 5, using: 'e', limit: 5 });
  const me = points[4]!;
  const expected = top(
    points.filter((p) => p.id !== 5),
    (p) => negSqEuclid(me.e, p.e),
    5,
  );
  assert.deepEqual(ids(res), expected.map((e) => e.id));
  assert.ok(close(res.points[0]!.score, Math.sqrt(-expected[0]!.score)), 'Euclid reports the distance');
});

test('sparse and multivector nearest', async () => {
  const sq = { indices: [1, 5, 9], values: [0.5, 1, 0.25] };
  const sparseRes = await client.query('q', { query: sq, using: 's', limit: 8 });
  const sparseScore = (p: P) => p.s.indices.reduce((acc, i, k) => acc + (sq.indices.includes(i) ? sq.values[sq.indices.indexOf(i)]! * p.s.values[k]! : 0), 0);
  const expectedSparse = top(
    points.filter((p) => p.s.indices.some((i) => sq.indices.includes(i))),
    sparseScore,
    8,
  );
  assert.deepEqual(ids(sparseRes), expectedSparse.map((e) => e.id));
  const mq = [
    [0.5, -0.5],
    [1, 0.2],
  ];
  const multiRes = await client.query('q', { query: mq, using: 'm', limit: 6 });
  const maxSim = (p: P) => mq.reduce((acc, q) => acc + Math.max(...p.m.map((d) => dot(q, d))), 0);
  assert.deepEqual(ids(multiRes), top(points, maxSim, 6).map((e) => e.id));
});

test('a rescoring prefetch gives the same answer as the root query (nearest, recommend, discover, order_by)', async () => {
  const queries: Array<{ name: string; query: NonNullable<NonNullable<Parameters<QdrantClient['query']>[1]>['query']>; using?: string }> = [
    { name: 'nearest', query: Q, using: 'd' },
    { name: 'recommend', query: { recommend: { positive: [1, 2, 3], negative: [4] } }, using: 'd' },
    { name: 'discover', query: { discover: { target: 2, context: [{ positive: 3, negative: 4 }] } }, using: 'e' },
    { name: 'order_by', query: { order_by: 'price' } },
  ];
  for (const q of queries) {
    const root = await client.query('q', { query: q.query, ...(q.using ? { using: q.using } : {}), limit: 10, with_payload: true });
    const nested = await client.query('q', { prefetch: { limit: 1000 }, query: q.query, ...(q.using ? { using: q.using } : {}), limit: 10, with_payload: true });
    assert.deepEqual(nested.points, root.points, q.name);
  }
});

test('nested prefetches: rescore the inner candidates with another vector', async () => {
  const res = await client.query('q', {
    prefetch: { prefetch: { query: Q, using: 'd', limit: 50 }, query: Q, using: 'e', limit: 20 },
    query: Q,
    using: 'd',
    limit: 5,
  });
  const inner = top(points, (p) => cos(Q, p.d), 50).map((x) => x.id);
  const middle = top(
    points.filter((p) => inner.includes(p.id)),
    (p) => negSqEuclid(Q, p.e),
    20,
  ).map((x) => x.id);
  const expected = top(
    points.filter((p) => middle.includes(p.id)),
    (p) => cos(Q, p.d),
    5,
  );
  assert.deepEqual(ids(res), expected.map((e) => e.id));
});

test('fusion: rrf and dbsf over two prefetches', async () => {
  const Q2 = [-0.5, 0.4, 0.1, 0.7];
  const a = top(points, (p) => cos(Q, p.d), 10);
  const b = top(points, (p) => negSqEuclid(Q2, p.e), 10);
  const rrf = new Map<number, number>();
  for (const list of [a, b]) list.forEach((p, pos) => rrf.set(p.id, (rrf.get(p.id) ?? 0) + 1 / (pos + 2)));
  const res = await client.query('q', { prefetch: [{ query: Q, using: 'd' }, { query: Q2, using: 'e' }], query: { fusion: 'rrf' }, limit: 20 });
  assert.equal(res.points.length, rrf.size);
  for (const p of res.points) assert.ok(close(p.score, rrf.get(p.id as number)!), `rrf score of ${p.id}`);
  for (let i = 1; i < res.points.length; i++) assert.ok(res.points[i - 1]!.score >= res.points[i]!.score);

  const weighted = await client.query('q', { prefetch: [{ query: Q, using: 'd' }, { query: Q2, using: 'e' }], query: { rrf: { k: 60, weights: [3, 1] } }, limit: 3 });
  const w = new Map<number, number>();
  [a, b].forEach((list, s) => list.forEach((p, pos) => w.set(p.id, (w.get(p.id) ?? 0) + 1 / ((pos + 1) / [3, 1][s]! + 59))));
  const expectedWeighted = [...w].sort((x, y) => y[1] - x[1] || x[0] - y[0]).slice(0, 3);
  assert.deepEqual(ids(weighted), expectedWeighted.map((e) => e[0]));
  weighted.points.forEach((p, i) => assert.ok(close(p.score, expectedWeighted[i]![1])));

  const dbsf = await client.query('q', { prefetch: [{ query: Q, using: 'd' }, { query: Q2, using: 'd' }], query: { fusion: 'dbsf' }, limit: 5 });
  const norm = (list: Array<{ id: number; score: number }>) => {
    const mean = list.reduce((s, p) => s + p.score, 0) / list.length;
    const std = Math.sqrt(list.reduce((s, p) => s + (p.score - mean) ** 2, 0) / (list.length - 1));
    return new Map(list.map((p) => [p.id, (p.score - (mean - 3 * std)) / (6 * std)]));
  };
  const fused = new Map<number, number>();
  for (const m of [norm(a), norm(top(points, (p) => cos(Q2, p.d), 10))]) for (const [id, s] of m) fused.set(id, (fused.get(id) ?? 0) + s);
  const expected = [...fused].sort((x, y) => y[1] - x[1]).slice(0, 5);
  assert.deepEqual(ids(dbsf), expected.map((e) => e[0]));
  dbsf.points.forEach((p, i) => assert.ok(close(p.score, expected[i]![1])));
});

test('recommend: average_vector, best_score, sum_scores (examples left out of the results)', async () => {
  const pos = [points[0]!.d, points[1]!.d];
  const neg = [points[2]!.d];
  const best = await client.query('q', { query: { recommend: { positive: [1, 2], negative: [3], strategy: 'best_score' } }, using: 'd', limit: 10 });
  const bestScore = (p: P) => {
    const bp = Math.max(...pos.map((v) => cos(v, p.d)));
    const bn = Math.max(...neg.map((v) => cos(v, p.d)));
    return bp > bn ? scaledSigmoid(bp) : -scaledSigmoid(bn);
  };
  const others = points.filter((p) => p.id > 3);
  const expectedBest = top(others, bestScore, 10);
  assert.deepEqual(ids(best), expectedBest.map((e) => e.id));
  best.points.forEach((p, i) => assert.ok(close(p.score, expectedBest[i]!.score)));

  const sum = await client.query('q', { query: { recommend: { positive: [1, 2], negative: [3], strategy: 'sum_scores' } }, using: 'd', limit: 10 });
  const sumScore = (p: P) => pos.reduce((s, v) => s + cos(v, p.d), 0) - neg.reduce((s, v) => s + cos(v, p.d), 0);
  assert.deepEqual(ids(sum), top(others, sumScore, 10).map((e) => e.id));

  const avg = await client.query('q', { query: { recommend: { positive: [1, 2], negative: [3] } }, using: 'd', limit: 10 });
  const u = pos.map(unit);
  const n = neg.map(unit);
  const mean = (vs: number[][]) => vs[0]!.map((_, i) => vs.reduce((s, v) => s + v[i]!, 0) / vs.length);
  const target = mean(u).map((x, i) => 2 * x - mean(n)[i]!);
  assert.deepEqual(ids(avg), top(others, (p) => cos(target, p.d), 10).map((e) => e.id));
});

test('discover and context', async () => {
  const t = points[1]!.e;
  const pairs = [{ positive: points[2]!.e, negative: points[3]!.e }];
  const res = await client.query('q', { query: { discover: { target: 2, context: [{ positive: 3, negative: 4 }] } }, using: 'e', limit: 10 });
  const score = (p: P) => {
    let rank = 0;
    for (const pair of pairs) {
      const a = negSqEuclid(pair.positive, p.e);
      const b = negSqEuclid(pair.negative, p.e);
      rank += a > b ? 1 : a === b ? 0 : -1;
    }
    return rank + scaledSigmoid(negSqEuclid(t, p.e));
  };
  const expected = top(
    points.filter((p) => ![2, 3, 4].includes(p.id)),
    score,
    10,
  );
  assert.deepEqual(ids(res), expected.map((e) => e.id));
  res.points.forEach((p, i) => assert.ok(close(p.score, expected[i]!.score), `${p.score} vs ${expected[i]!.score}`));

  const ctx = await client.query('q', { query: { context: [{ positive: 3, negative: 4 }] }, using: 'e', limit: 300 });
  for (const p of ctx.points) {
    const pt = points[(p.id as number) - 1]!;
    const onPositiveSide = negSqEuclid(pairs[0]!.positive, pt.e) > negSqEuclid(pairs[0]!.negative, pt.e);
    if (onPositiveSide) assert.equal(p.score, 0, `point ${p.id} is on the positive side`);
    else assert.ok(p.score < 0, `point ${p.id} is on the negative side`);
  }
});

test('order_by, sample, score_threshold, offset, filter', async () => {
  const byPrice = await client.query('q', { query: { order_by: { key: 'price', direction: 'desc' } }, limit: 5, with_payload: true });
  const prices = byPrice.points.map((p) => (p.payload as { price: number }).price);
  assert.deepEqual(prices, [...points.map((p) => p.payload.price)].sort((a, b) => b - a).slice(0, 5));
  assert.deepEqual(
    byPrice.points.map((p) => p.order_value),
    prices,
  );

  const filter = { must: [{ key: 'city', match: { value: 'Oslo' } }] };
  const s1 = await client.query('q', { query: { sample: 'random' }, filter, limit: 20, with_payload: true });
  assert.equal(s1.points.length, 20);
  assert.ok(s1.points.every((p) => (p.payload as { city: string }).city === 'Oslo'));
  assert.equal(new Set(ids(s1)).size, 20);
  const orders = new Set<string>();
  for (let i = 0; i < 5; i++) orders.add(JSON.stringify(ids(await client.query('q', { query: { sample: 'random' }, filter, limit: 20 }))));
  assert.ok(orders.size > 1, 'random samples differ');

  const all = await client.query('q', { query: Q, using: 'd', limit: 20 });
  const threshold = all.points[9]!.score;
  const above = await client.query('q', { query: Q, using: 'd', limit: 20, score_threshold: threshold });
  assert.deepEqual(ids(above), ids(all).slice(0, 10));
  const paged = await client.query('q', { query: Q, using: 'd', limit: 5, offset: 5 });
  assert.deepEqual(ids(paged), ids(all).slice(5, 10));
  const pagedPrefetch = await client.query('q', { prefetch: { query: Q, using: 'd', limit: 5 }, query: Q, using: 'd', limit: 5, offset: 5 });
  assert.deepEqual(ids(pagedPrefetch), ids(all).slice(5, 10), 'prefetch limits grow by the offset');
  const filtered = await client.query('q', { query: Q, using: 'd', limit: 5, filter });
  assert.deepEqual(
    ids(filtered),
    top(
      points.filter((p) => p.payload.city === 'Oslo'),
      (p) => cos(Q, p.d),
      5,
    ).map((e) => e.id),
  );
});

test('lookup_from: a vector of another collection by id', async () => {
  const res = await client.query('q', { query: 9001, using: 'd', lookup_from: { collection: 'other', vector: 'v' }, limit: 3 });
  assert.deepEqual(ids(res), top(points, (p) => cos([1, 0, 0, 0], p.d), 3).map((e) => e.id));
  await assert.rejects(client.query('q', { query: 1, using: 'd', lookup_from: { collection: 'nope' } }), (err: { status?: number }) => err.status === 404);
});

test('mmr re-ranks for diversity; no diversity keeps the nearest order', async () => {
  const plain = await client.query('q', { query: { nearest: Q }, using: 'd', limit: 10 });
  const diverse = await client.query('q', { query: { nearest: Q, mmr: { diversity: 0.9, candidates_limit: 100 } }, using: 'd', limit: 10 });
  assert.notDeepEqual(ids(diverse), ids(plain));
  assert.equal(diverse.points[0]!.id, plain.points[0]!.id, 'the most relevant point is picked first');
  const none = await client.query('q', { query: { nearest: Q, mmr: { diversity: 0, candidates_limit: 10 } }, using: 'd', limit: 10 });
  assert.deepEqual(ids(none), ids(plain));
});

test('query batch answers each query in order', async () => {
  const batch = await client.queryBatch('q', { searches: [{ query: Q, using: 'd', limit: 3 }, { query: { order_by: 'price' }, limit: 2 }, { query: 7, using: 'e', limit: 1 }] });
  assert.equal(batch.length, 3);
  assert.deepEqual(ids(batch[0]!), ids(await client.query('q', { query: Q, using: 'd', limit: 3 })));
  assert.equal(batch[1]!.points.length, 2);
  assert.equal(batch[2]!.points.length, 1);
});

test('query groups: by a payload key, best hits per group, with lookup', async () => {
  const res = await client.queryGroups('q', { query: Q, using: 'd', group_by: 'group', group_size: 2, limit: 4, with_payload: ['group'], with_lookup: { collection: 'groups', with_payload: true } });
  assert.equal(res.groups.length, 4);
  const ranked = top(points, (p) => cos(Q, p.d), N);
  const firstGroups: number[] = [];
  for (const r of ranked) {
    const g = points[r.id - 1]!.payload.group;
    if (!firstGroups.includes(g)) firstGroups.push(g);
  }
  assert.deepEqual(
    res.groups.map((g) => g.id),
    firstGroups.slice(0, 4),
  );
  for (const g of res.groups) {
    const expected = ranked.filter((r) => points[r.id - 1]!.payload.group === g.id).slice(0, 2);
    assert.deepEqual(
      g.hits.map((h) => h.id),
      expected.map((e) => e.id),
    );
    for (const h of g.hits) assert.deepEqual(h.payload, { group: g.id });
    assert.deepEqual(g.lookup, { id: g.id, payload: { title: `group ${g.id}` } });
  }
});

test('distance matrix: pairs and offsets over a sample, each point’s nearest neighbours in it', async () => {
  const filter = { must: [{ key: 'n', range: { lt: 2 } }] };
  const members = points.filter((p) => p.payload.n < 2);
  const pairs = await client.searchMatrixPairs('q', { using: 'e', sample: members.length, limit: 2, filter });
  assert.equal(pairs.pairs.length, members.length * 2);
  for (const m of members) {
    const mine = pairs.pairs.filter((p) => p.a === m.id);
    const expected = top(
      members.filter((o) => o.id !== m.id),
      (o) => negSqEuclid(m.e, o.e),
      2,
    );
    assert.deepEqual(
      mine.map((p) => p.b),
      expected.map((e) => e.id),
    );
    assert.ok(close(mine[0]!.score, Math.sqrt(-expected[0]!.score)));
  }
  const offsets = await client.searchMatrixOffsets('q', { using: 'e', sample: members.length, limit: 2, filter });
  assert.deepEqual(
    offsets.ids,
    members.map((m) => m.id),
    'ids in id order',
  );
  assert.equal(offsets.offsets_row.length, members.length * 2);
  for (let i = 0; i < offsets.offsets_row.length; i++) {
    const a = offsets.ids[offsets.offsets_row[i]!];
    const b = offsets.ids[offsets.offsets_col[i]!];
    assert.ok(pairs.pairs.some((p) => p.a === a && p.b === b && close(p.score, offsets.scores[i]!)));
  }
});

test('query errors: unknown vector name, wrong dimension, fusion with using', async () => {
  await assert.rejects(client.query('q', { query: Q, using: 'zzz' }), (err: { status?: number; data?: { status?: { error?: string } } }) => {
    assert.equal(err.status, 400);
    assert.equal(err.data?.status?.error, 'Wrong input: Not existing vector name error: zzz');
    return true;
  });
  await assert.rejects(client.query('q', { query: [1, 2], using: 'd' }), (err: { status?: number }) => err.status === 400);
  await assert.rejects(client.query('q', { prefetch: [{ query: Q, using: 'd' }], query: { fusion: 'rrf' }, using: 'd' }), (err: { status?: number; data?: { status?: { error?: string } } }) => {
    assert.equal(err.data?.status?.error, "Bad request: Fusion queries cannot be combined with the 'using' field.");
    return true;
  });
});

test('formula: rescore prefetched points by score, payload, conditions, decays; defaults and errors', async () => {
  const prefetch = { query: Q, using: 'd', limit: 30 };
  const base = top(points, (p) => cos(Q, p.d), 30);
  const res = await client.query('q', {
    prefetch,
    query: { formula: { sum: ['$score', { mult: [0.5, { key: 'city', match: { value: 'Oslo' } }] }, { mult: [0.01, 'n'] }] } },
    limit: 10,
  });
  const expected = base
    .map((b) => {
      const p = points[b.id - 1]!;
      return { id: b.id, score: b.score + (p.payload.city === 'Oslo' ? 0.5 : 0) + 0.01 * p.payload.n };
    })
    .sort((a, b) => b.score - a.score || a.id - b.id)
    .slice(0, 10);
  assert.deepEqual(ids(res), expected.map((e) => e.id));
  res.points.forEach((p, i) => assert.ok(close(p.score, expected[i]!.score)));

  const decayed = await client.query('q', { prefetch, query: { formula: { exp_decay: { x: 'price', target: 50, scale: 10, midpoint: 0.5 } } }, limit: 3 });
  const decay = (price: number) => Math.exp((Math.log(0.5) / 10) * Math.abs(price - 50));
  const expectedDecay = base
    .map((b) => ({ id: b.id, score: decay(points[b.id - 1]!.payload.price) }))
    .sort((a, b) => b.score - a.score || a.id - b.id)
    .slice(0, 3);
  decayed.points.forEach((p, i) => assert.ok(close(p.score, expectedDecay[i]!.score)));

  const withDefault = await client.query('q', { prefetch, query: { formula: { sum: ['$score', 'missing_field'] }, defaults: { missing_field: 2 } }, limit: 1 });
  assert.ok(close(withDefault.points[0]!.score, base[0]!.score + 2));
  await assert.rejects(client.query('q', { prefetch, query: { formula: { sum: ['$score', 'missing_field'] } } }), (err: { status?: number; data?: { status?: { error?: string } } }) => {
    assert.equal(err.status, 400);
    assert.equal(err.data?.status?.error, 'Bad request: Expected number value for missing_field in the payload and/or in the formula defaults. Error: No value found in a payload nor defaults');
    return true;
  });
  await assert.rejects(client.query('q', { prefetch, query: { formula: { ln: 0 } } }), (err: { status?: number; data?: { status?: { error?: string } } }) => err.status === 400 && /non-finite/.test(err.data?.status?.error ?? ''));
  await assert.rejects(client.query('q', { prefetch, query: { formula: { lin_decay: { x: 1, midpoint: 2 } } } }), (err: { status?: number }) => err.status === 400);
});

test('formula: geo distance and date-times', async () => {
  await client.createCollection('places', { vectors: { size: 1, distance: 'Dot' } });
  await client.upsert('places', {
    wait: true,
    points: [
      { id: 1, vector: [1], payload: { loc: { lon: 13.4, lat: 52.5 }, at: '2024-01-01T00:00:00Z' } },
      { id: 2, vector: [1], payload: { loc: { lon: 2.35, lat: 48.86 }, at: '2024-01-02T00:00:00Z' } },
    ],
  });
  const near = await client.query('places', { prefetch: { limit: 10 }, query: { formula: { neg: { geo_distance: { origin: { lon: 2.3, lat: 48.9 }, to: 'loc' } } } }, limit: 2 });
  assert.deepEqual(ids(near), [2, 1]);
  assert.ok(near.points[0]!.score > -10_000 && near.points[0]!.score < 0, 'metres from Paris');
  const age = await client.query('places', { prefetch: { limit: 10 }, query: { formula: { sum: [{ datetime_key: 'at' }, { neg: { datetime: '2024-01-01T00:00:00Z' } }] } }, limit: 2 });
  assert.deepEqual(
    age.points.map((p) => [p.id, p.score]),
    [
      [2, 86400],
      [1, 0],
    ],
  );
});

test('relevance feedback (naive strategy): a·sim(target) + Σ Δscore^b·c·(sim(better) − sim(worse)), examples left out', async () => {
  const res = await client.query('q', {
    query: { relevance_feedback: { target: Q, feedback: [{ example: 10, score: 0.9 }, { example: 11, score: 0.1 }, { example: 12, score: 0.5 }], strategy: { naive: { a: 1, b: 1.5, c: 0.7 } } } },
    using: 'd',
    limit: 8,
  });
  const fb = [10, 11, 12].map((id, i) => ({ v: points[id - 1]!.d, s: [0.9, 0.1, 0.5][i]! }));
  const score = (p: P) => {
    let s = cos(Q, p.d);
    for (const x of fb) for (const y of fb) if (x.s > y.s) s += (x.s - y.s) ** 1.5 * 0.7 * (cos(x.v, p.d) - cos(y.v, p.d));
    return s;
  };
  const expected = top(
    points.filter((p) => ![10, 11, 12].includes(p.id)),
    score,
    8,
  );
  assert.deepEqual(ids(res), expected.map((e) => e.id));
  res.points.forEach((p, i) => assert.ok(close(p.score, expected[i]!.score), `${p.score} vs ${expected[i]!.score}`));
});
