/**
 * Durability: writes answered by the engine (with `wait=true`, and acknowledged ones without it)
 * survive `kill -9` of its process; a restart on the same data directory serves them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { raw } from './harness.js';

const childScript = join(dirname(fileURLToPath(import.meta.url)), 'engine-child.js');

async function spawnEngine(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(childScript, [dataDir], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('engine child did not start in 20 s')), 20_000);
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

test('an upsert answered with wait=true survives kill -9; so do acknowledged ones', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'phoenix-vector-kill-'));
  let current: ChildProcess | undefined;
  try {
    const first = await spawnEngine(dataDir);
    current = first.child;
    assert.equal((await raw('PUT', `${first.url}/collections/d`, { vectors: { size: 3, distance: 'Euclid' } })).status, 200);
    const waited = await raw('PUT', `${first.url}/collections/d/points?wait=true`, {
      points: Array.from({ length: 50 }, (_, i) => ({ id: i, vector: [i, i + 0.5, -i], payload: { i, batch: 'waited' } })),
    });
    assert.deepEqual((waited.json as { result: unknown }).result, { operation_id: 0, status: 'completed' });
    const acked = await raw('PUT', `${first.url}/collections/d/points`, {
      points: [{ id: 'f0e1d2c3-b4a5-9687-7869-5a4b3c2d1e0f', vector: [9, 9, 9], payload: { batch: 'acked' } }],
    });
    assert.deepEqual((acked.json as { result: unknown }).result, { operation_id: 1, status: 'acknowledged' });
    const payload = await raw('POST', `${first.url}/collections/d/points/payload`, { payload: { touched: true }, points: [7] });
    assert.equal(payload.status, 200);
    await kill9(first.child);

    const second = await spawnEngine(dataDir);
    current = second.child;
    const count = await raw('POST', `${second.url}/collections/d/points/count`, {});
    assert.deepEqual((count.json as { result: unknown }).result, { count: 51 });
    const p7 = await raw('GET', `${second.url}/collections/d/points/7`);
    assert.deepEqual((p7.json as { result: unknown }).result, { id: 7, payload: { i: 7, batch: 'waited', touched: true }, vector: [7, 7.5, -7] });
    const uuid = await raw('GET', `${second.url}/collections/d/points/F0E1D2C3B4A5968778695A4B3C2D1E0F`);
    assert.equal(uuid.status, 200);
    const nearest = await raw('POST', `${second.url}/collections/d/points/query`, { query: [3, 3.5, -3], limit: 1 });
    assert.equal((nearest.json as { result: { points: Array<{ id: unknown; score: number }> } }).result.points[0]?.id, 3);
    const next = await raw('PUT', `${second.url}/collections/d/points?wait=true`, { points: [] });
    assert.equal((next.json as { result: { operation_id: number } }).result.operation_id, 3, 'operation numbers continue');
    await kill9(second.child);
  } finally {
    if (current) await kill9(current);
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('every acknowledged write of a stream interrupted by kill -9 is there after restart', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'phoenix-vector-stream-'));
  let current: ChildProcess | undefined;
  try {
    const first = await spawnEngine(dataDir);
    current = first.child;
    await raw('PUT', `${first.url}/collections/s`, { vectors: { size: 2, distance: 'Dot' } });
    const acknowledged: number[] = [];
    let stop = false;
    const writers = [0, 1, 2].map(async (w) => {
      for (let i = 0; !stop; i++) {
        const id = w * 1_000_000 + i;
        try {
          const r = await raw('PUT', `${first.url}/collections/s/points${i % 2 ? '?wait=true' : ''}`, { points: [{ id, vector: [id, 1] }] });
          if (r.status === 200) acknowledged.push(id);
        } catch {
          return; // the process is gone
        }
      }
    });
    // Kill while the stream runs: once enough writes were answered (a busy machine fsyncs slowly).
    for (let waited = 0; acknowledged.length < 20 && waited < 30_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    await kill9(first.child);
    stop = true;
    await Promise.all(writers);
    assert.ok(acknowledged.length > 10, `some writes were acknowledged (${acknowledged.length})`);

    const second = await spawnEngine(dataDir);
    current = second.child;
    const found = await raw('POST', `${second.url}/collections/s/points`, { ids: acknowledged, with_payload: false });
    const ids = new Set((found.json as { result: Array<{ id: number }> }).result.map((p) => p.id));
    const lost = acknowledged.filter((id) => !ids.has(id));
    assert.deepEqual(lost, [], 'no acknowledged write is lost');
  } finally {
    if (current) await kill9(current);
    rmSync(dataDir, { recursive: true, force: true });
  }
});
