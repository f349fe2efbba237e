/**
 * Search replicas (src/vector/index/graph-replica.ts): a large graph gets a copy on a worker
 * thread once it is saved, and unfiltered searches run there. What a user must not notice is the
 * copy itself: the official client gets the same answers as from the event loop, a point written
 * with wait=true is found by the very next search and a deleted one is gone, concurrent writers and
 * readers never see a completed write missing, and a restart brings the replica back from disk.
 * The Prometheus counter shows the replica answered (the thresholds are lowered for the test).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { QdrantClient } from '@qdrant/js-client-rest';
import { buildVectorApp, Engine } from '../../../src/vector/main.js';
import { configureSearchThreads } from '../../../src/vector/index/search-threads.js';
import { silentLogger } from '../../../src/core/log.js';
import { eventually } from '../../helpers/eventually.js';
import { raw, seededRandom } from './harness.js';

const DIM = 16;
const COUNT = 3000;
configureSearchThreads({ minVectors: 1000 });

async function serve(dataDir: string) {
  const engine = Engine.open(dataDir);
  const app = buildVectorApp(engine, { logger: silentLogger() });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    url,
    client: new QdrantClient({ url, checkCompatibility: false }),
    close: async () => {
      await app.close();
      engine.close();
    },
  };
}

/** `phoenix_search_replicas` and `phoenix_search_replica_searches_total` for collection `c`. */
async function replicaMetrics(url: string): Promise<{ replicas: number; searches: number }> {
  const text = (await raw('GET', `${url}/metrics`)).text;
  const read = (name: string) => Number(new RegExp(`^${name}\\{collection="c"\\} (\\d+)`, 'm').exec(text)?.[1] ?? NaN);
  return { replicas: read('phoenix_search_replicas'), searches: read('phoenix_search_replica_searches_total') };
}

function vectors(seed: number, n: number): number[][] {
  const rnd = seededRandom(seed);
  return Array.from({ length: n }, () => Array.from({ length: DIM }, () => rnd() * 2 - 1));
}

test('searches on the replica thread answer like the event loop, see every completed write, and survive a restart', { timeout: 120_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'phoenix-replica-it-'));
  let server = await serve(dataDir);
  try {
    const { client } = server;
    await client.createCollection('c', { vectors: { size: DIM, distance: 'Cosine' }, hnsw_config: { m: 16, ef_construct: 64 }, optimizers_config: { indexing_threshold: 1 } });
    const data = vectors(1, COUNT);
    for (let start = 0; start < COUNT; start += 500) {
      await client.upsert('c', { wait: true, points: data.slice(start, start + 500).map((vector, i) => ({ id: start + i, vector })) });
    }
    // The graph is saved once writes pause; the replica starts from that save.
    await eventually(async () => assert.equal((await replicaMetrics(server.url)).replicas, 1), 30_000, 200);

    // One at a time (each goes to the replica): the same answers as an exact search, near enough.
    const queries = vectors(2, 40);
    const before = (await replicaMetrics(server.url)).searches;
    let overlap = 0;
    for (const q of queries) {
      const graph = await client.query('c', { query: q, limit: 10, params: { hnsw_ef: 128 } });
      const exact = await client.query('c', { query: q, limit: 10, params: { exact: true } });
      const truth = new Set(exact.points.map((p) => p.id));
      overlap += graph.points.filter((p) => truth.has(p.id)).length;
      for (const p of graph.points) assert.ok(p.score <= 1.0001 && p.score >= -1.0001);
    }
    assert.ok(overlap / (queries.length * 10) >= 0.95, `recall ${overlap / (queries.length * 10)}`);
    assert.equal((await replicaMetrics(server.url)).searches - before, queries.length, 'every graph search went to the replica');

    // Read your writes: a point written with wait=true is the next search's best hit; deleted, it is gone.
    for (let i = 0; i < 20; i++) {
      const id = 100_000 + i;
      const v = queries[i]!;
      await client.upsert('c', { wait: true, points: [{ id, vector: v, payload: { i } }] });
      const found = await client.query('c', { query: v, limit: 3, with_payload: true });
      assert.equal(found.points[0]?.id, id, `write ${i} not seen`);
      assert.deepEqual(found.points[0]?.payload, { i });
      await client.delete('c', { wait: true, points: [id] });
      const after = await client.query('c', { query: v, limit: 3 });
      assert.ok(!after.points.some((p) => p.id === id), `delete ${i} not seen`);
    }

    // Concurrent writers and readers: every write completed before a search began is in its answer.
    const completed = new Map<number, number[]>();
    let writing = true;
    const fresh = vectors(3, 60);
    const writer = (async () => {
      for (let i = 0; i < fresh.length; i++) {
        await client.upsert('c', { wait: true, points: [{ id: 200_000 + i, vector: fresh[i]! }] });
        completed.set(200_000 + i, fresh[i]!);
      }
      writing = false;
    })();
    const reader = async () => {
      let checks = 0;
      while (writing || checks === 0) {
        const known = [...completed.entries()];
        if (known.length === 0) {
          await new Promise((r) => setTimeout(r, 5));
          continue;
        }
        const [id, v] = known[Math.floor(Math.random() * known.length)]!;
        const found = await client.query('c', { query: v, limit: 1 });
        assert.equal(found.points[0]?.id, id, `completed write ${id} missing from a later search`);
        checks++;
      }
      return checks;
    };
    const checks = await Promise.all([writer, ...Array.from({ length: 6 }, reader)]);
    assert.ok(checks.slice(1).every((n) => (n as number) > 0));
    const batch = await client.queryBatch('c', { searches: queries.slice(0, 8).map((q) => ({ query: q, limit: 5 })) });
    assert.equal(batch.length, 8);
    for (const r of batch) assert.equal(r.points.length, 5);

    // Restart: the replica comes back from the saved graph and answers the same.
    const reference = await client.query('c', { query: queries[0]!, limit: 10, params: { hnsw_ef: 128 } });
    await server.close();
    server = await serve(dataDir);
    await eventually(async () => assert.equal((await replicaMetrics(server.url)).replicas, 1), 30_000, 200);
    const again = await server.client.query('c', { query: queries[0]!, limit: 10, params: { hnsw_ef: 128 } });
    assert.deepEqual(
      again.points.map((p) => p.id),
      reference.points.map((p) => p.id),
    );
    assert.ok((await replicaMetrics(server.url)).searches >= 1);
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
