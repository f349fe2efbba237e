/**
 * Crash test (issue 3, Done-when 2): an engine process takes concurrent `wait=true` and
 * `wait=false` upserts through the REST API and is killed with SIGKILL at several points; after each
 * restart every answered write is there, no record is torn (each point's vector and payload come
 * from the same write), and the vector index agrees with the storage (every stored point is found
 * by a graph search with its own vector, and the index ends up holding exactly the stored points).
 * The collection is set up so the HNSW graph, checkpoints, log truncation and graph saves are all
 * active while the engine is killed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { raw, seededRandom } from './harness.js';

const childScript = join(dirname(fileURLToPath(import.meta.url)), 'engine-child.js');
const DIM = 8;
const WRITERS = 4;
const IDS = 2000;
const KILLS = 4;

/** Every write carries its own number; the vector is a function of (id, seq), so torn records show. */
function vectorOf(id: number, seq: number): number[] {
  const next = seededRandom(Math.imul(id + 1, 0x9e3779b1) ^ Math.imul(seq + 1, 0x85ebca6b));
  return Array.from({ length: DIM }, () => Math.fround((next() - 0.5) * 200));
}

interface IdState {
  /** seq of the last write answered for this id (undefined: none). */
  answered?: number;
  /** seqs sent after it that got no answer before the kill: any of them may have landed. */
  unanswered: number[];
}

async function spawnEngine(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(childScript, [dataDir], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('engine child did not start in 30 s')), 30_000);
    child.once('message', (m: { type?: string; port?: number }) => {
      clearTimeout(timer);
      if (m.type === 'ready' && m.port) resolve(m.port);
      else reject(new Error(`unexpected message ${JSON.stringify(m)}`));
    });
    child.once('exit', (code, signal) => reject(new Error(`engine child exited early (${signal ?? code})`)));
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

async function kill9(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await exited;
}

async function verify(url: string, ids: Map<number, IdState>, round: number): Promise<number> {
  const wanted = [...ids.keys()];
  const res = await raw('POST', `${url}/collections/crash/points`, { ids: wanted, with_payload: true, with_vector: true });
  assert.equal(res.status, 200, res.text);
  const stored = new Map<number, { id: number; payload: { id: number; seq: number }; vector: number[] }>();
  for (const p of (res.json as { result: Array<{ id: number; payload: { id: number; seq: number }; vector: number[] }> }).result) stored.set(p.id, p);
  for (const [id, state] of ids) {
    const p = stored.get(id);
    const allowed = new Set([...(state.answered === undefined ? [] : [state.answered]), ...state.unanswered]);
    if (!p) {
      assert.equal(state.answered, undefined, `round ${round}: id ${id} was answered (seq ${state.answered}) but is missing`);
      continue;
    }
    assert.equal(p.payload.id, id, `round ${round}: payload of ${id}`);
    assert.ok(allowed.has(p.payload.seq), `round ${round}: id ${id} holds seq ${p.payload.seq}, expected one of ${[...allowed]}`);
    assert.deepEqual(p.vector.map(Math.fround), vectorOf(id, p.payload.seq), `round ${round}: id ${id}: vector and payload come from one write`);
    // What is stored is now the state to keep (a later round may overwrite it).
    ids.set(id, { answered: p.payload.seq, unanswered: [] });
  }
  for (const id of ids.keys()) if (!stored.has(id)) ids.delete(id);

  const count = await raw('POST', `${url}/collections/crash/points/count`, { exact: true });
  assert.deepEqual((count.json as { result: unknown }).result, { count: stored.size }, `round ${round}: count agrees with the stored points`);
  const points = [...stored.values()];
  for (let i = 0; i < points.length; i += 250) {
    const chunk = points.slice(i, i + 250);
    const hits = await raw('POST', `${url}/collections/crash/points/query/batch`, { searches: chunk.map((p) => ({ query: p.vector, limit: 1, params: { hnsw_ef: 128 } })) });
    assert.equal(hits.status, 200, hits.text);
    const results = (hits.json as { result: Array<{ points: Array<{ id: number }> }> }).result;
    chunk.forEach((p, j) => assert.equal(results[j]?.points[0]?.id, p.id, `round ${round}: the index finds ${p.id} by its own vector`));
  }
  return stored.size;
}

test('kill -9 during concurrent wait=true and wait=false upserts: answered writes survive, nothing torn, index and storage agree', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'phoenix-vector-crash-'));
  const random = seededRandom(20240607);
  const ids = new Map<number, IdState>();
  let seq = 0;
  let current: ChildProcess | undefined;
  try {
    for (let round = 0; round <= KILLS; round++) {
      const engine = await spawnEngine(dataDir);
      current = engine.child;
      const url = engine.url;
      if (round === 0) {
        const created = await raw('PUT', `${url}/collections/crash`, {
          vectors: { size: DIM, distance: 'Euclid' },
          hnsw_config: { m: 8, ef_construct: 64 },
          optimizers_config: { indexing_threshold: 1, flush_interval_sec: 1 },
          wal_config: { wal_capacity_mb: 1 },
        });
        assert.equal(created.status, 200, created.text);
      } else {
        const kept = await verify(url, ids, round);
        assert.ok(kept > 0, `round ${round}: points were kept`);
        // Let the engine save its graph once writes pause (rounds 1 and 3), so later restarts
        // load a saved graph and re-index only what changed after it.
        if (round % 2 === 1) await new Promise((r) => setTimeout(r, 4500));
      }
      if (round === KILLS) {
        const settle = await raw('PUT', `${url}/collections/crash/points?wait=true`, { points: [] });
        assert.equal(settle.status, 200);
        const info = (await raw('GET', `${url}/collections/crash`)).json as { result: { points_count: number; indexed_vectors_count: number; status: string } };
        assert.equal(info.result.indexed_vectors_count, info.result.points_count, 'after a completed write the index holds every stored vector');
        await kill9(engine.child);
        break;
      }

      let stop = false;
      let answered = 0;
      const writers = Array.from({ length: WRITERS }, async (_, w) => {
        const wait = w % 2 === 0;
        while (!stop) {
          const batch = Array.from({ length: 1 + Math.floor(random() * 20) }, () => {
            const id = Math.floor(random() * (IDS / WRITERS)) * WRITERS + w; // writers own disjoint ids
            return { id, seq: ++seq };
          });
          const unique = new Map(batch.map((b) => [b.id, b.seq]));
          for (const [id, s] of unique) {
            const state = ids.get(id) ?? { unanswered: [] };
            state.unanswered.push(s);
            ids.set(id, state);
          }
          let res;
          try {
            res = await raw('PUT', `${url}/collections/crash/points${wait ? '?wait=true' : ''}`, {
              points: [...unique].map(([id, s]) => ({ id, vector: vectorOf(id, s), payload: { id, seq: s } })),
            });
          } catch {
            return; // the engine is gone: this batch stays unanswered
          }
          assert.equal(res.status, 200, res.text);
          assert.equal((res.json as { result: { status: string } }).result.status, wait ? 'completed' : 'acknowledged');
          answered++;
          for (const [id, s] of unique) {
            const state = ids.get(id)!;
            // Answered: this seq is now the floor; older unanswered ones were overwritten by it.
            ids.set(id, { answered: s, unanswered: state.unanswered.filter((x) => x > s) });
          }
        }
      });
      // Kill once writes are flowing (however loaded the machine is), at a random moment after.
      const deadline = Date.now() + 60_000;
      while (answered < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, Math.floor(random() * 800)));
      await kill9(engine.child);
      stop = true;
      await Promise.all(writers);
      assert.ok(answered >= 20, `round ${round}: writes were answered before the kill (${answered})`);
    }
  } finally {
    if (current) await kill9(current);
    rmSync(dataDir, { recursive: true, force: true });
  }
});
