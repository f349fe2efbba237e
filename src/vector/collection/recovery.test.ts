import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VectorStore } from './store.js';
import type { CollectionConfig } from './config.js';
import type { Collection } from './collection.js';
import { dense } from '../segment/vector-value.js';

/**
 * Recovery from the files as a crash leaves them: the data directory is copied while the engine is
 * still running (what `kill -9` leaves on disk), and the copy is opened. Everything acknowledged
 * must be there; the saved vector index must be reused, not rebuilt.
 */
const dim = 8;

function config(walMb = 32): CollectionConfig {
  return {
    vectors: { kind: 'single', spec: { size: dim, distance: 'Euclid', extra: {} } },
    options: { params: {}, hnsw_config: { m: 8, ef_construct: 64 }, optimizer_config: { indexing_threshold: 1 }, wal_config: { wal_capacity_mb: walMb }, quantization_config: null, strict_mode_config: {} },
  };
}

/** A point's vector is a function of its id and round, so a read-back checks it was not torn. */
function vectorOf(id: number, round: number): Float32Array {
  return Float32Array.from({ length: dim }, (_, i) => Math.sin(id * 0.37 + i * 1.3 + round * 0.11) * 10);
}

const read = { withPayload: { kind: 'all' }, withVector: { kind: 'all' } } as const;

async function upsertRange(c: Collection, from: number, to: number, round: number, wait: boolean): Promise<void> {
  const points = [];
  for (let id = from; id < to; id++) points.push({ id, vectors: new Map([['', dense(vectorOf(id, round))]]), payload: { id, round } });
  await c.update({ type: 'upsert', points }, { wait });
}

function withDirs(fn: (dir: string, copy: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'phoenix-recovery-'));
  const copy = mkdtempSync(join(tmpdir(), 'phoenix-recovery-copy-'));
  return fn(dir, copy).finally(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(copy, { recursive: true, force: true });
  });
}

function expectPoints(c: Collection, expected: Map<number, number>, others = 0): void {
  assert.equal(c.count(), expected.size + others);
  const records = c.retrieve([...expected.keys()], read);
  assert.equal(records.length, expected.size);
  for (const r of records) {
    const round = expected.get(r.id as number)!;
    assert.deepEqual(r.payload, { id: r.id, round }, `payload of ${r.id}`);
    const v = r.vectors?.get('');
    assert.ok(v?.kind === 'dense');
    assert.deepEqual([...v.values], [...vectorOf(r.id as number, round)], `vector of ${r.id}`);
    const [nearest] = c.search({ using: '', vector: v, limit: 1, params: { hnswEf: 64 }, withPayload: { kind: 'none' }, withVector: { kind: 'none' } });
    assert.equal(nearest?.id, r.id, `the index finds ${r.id} by its own vector`);
  }
}

test('acknowledged writes survive a crash: replay from the operation log alone, then from checkpoint + log', async () => {
  await withDirs(async (dir, copy) => {
    const store = VectorStore.openDir(dir);
    const c = store.createCollection('r', config(1));
    const expected = new Map<number, number>();
    for (let round = 0; round < 6; round++) {
      const from = round * 300;
      await upsertRange(c, from, from + 400, round, round % 2 === 0);
      for (let id = from; id < from + 400; id++) expected.set(id, round);
      await c.update({ type: 'delete', selection: { kind: 'ids', ids: [from + 1, from + 2] } });
      expected.delete(from + 1);
      expected.delete(from + 2);
      if (round === 2) c.checkpoint();
    }
    await c.update({ type: 'set_payload', selection: { kind: 'ids', ids: [5] }, payload: { extra: true } });
    cpSync(dir, copy, { recursive: true }); // the files as a kill -9 leaves them (the store is still open)
    store.close();

    const reopened = VectorStore.openDir(copy);
    const r = reopened.collections()[0]!.collection;
    assert.deepEqual(r.retrieve([5], read)[0]?.payload, { id: 5, round: 0, extra: true });
    expected.delete(5);
    assert.equal(r.count(), expected.size + 1);
    expectPoints(r, expected, 1);
    const next = await r.update({ type: 'upsert', points: [] });
    assert.equal(next.operationId, 13, 'operation numbers continue after recovery');
    reopened.close();
  });
});

test('checkpoints let the operation log go', async () => {
  await withDirs(async (dir) => {
    const store = VectorStore.openDir(dir);
    const c = store.createCollection('w', config(1));
    for (let round = 0; round < 12; round++) await upsertRange(c, 0, 2000, round, false);
    await new Promise((r) => setTimeout(r, 50));
    const walDir = join(c.dir, 'wal');
    const segments = readdirSync(walDir).length;
    assert.ok(segments <= 3, `old log segments are deleted after checkpoints (${segments} left)`);
    store.close();
    const again = VectorStore.openDir(dir);
    expectPoints(again.collections()[0]!.collection, new Map(Array.from({ length: 2000 }, (_, id) => [id, 11])));
    again.close();
  });
});

test('after a restart the saved vector index is reused; after a crash only later changes are re-indexed', async () => {
  await withDirs(async (dir, copy) => {
    const n = 3000;
    const store = VectorStore.openDir(dir);
    const c = store.createCollection('g', config());
    await upsertRange(c, 0, n, 0, true);
    store.close(); // saves the graph

    const second = VectorStore.openDir(dir);
    const c2 = second.collections()[0]!.collection;
    assert.equal(c2.info().indexedVectorsCount, n, 'the graph is loaded, not rebuilt');
    assert.equal(c2.info().status, 'green');
    await upsertRange(c2, n, n + 50, 1, true); // changes after the saved graph
    cpSync(dir, copy, { recursive: true });
    second.close();

    const third = VectorStore.openDir(copy);
    const c3 = third.collections()[0]!.collection;
    const info = c3.info();
    assert.equal(info.pointsCount, n + 50);
    assert.equal(info.indexedVectorsCount, n, 'the saved graph is loaded at once');
    assert.equal(info.status, 'yellow', 'the 50 newer vectors are being added');
    expectPoints(c3, new Map([...Array.from({ length: n }, (_, id) => [id, 0] as [number, number]), ...Array.from({ length: 50 }, (_, i) => [n + i, 1] as [number, number])]));
    await c3.update({ type: 'upsert', points: [] }, { wait: true });
    assert.equal(c3.info().indexedVectorsCount, n + 50);
    third.close();
  });
});

test('checkpoints are written off the event loop; a collection deleted with one in flight stays deleted', async () => {
  await withDirs(async (dir) => {
    const store = VectorStore.openDir(dir);
    const c = store.createCollection('bg', config());
    await upsertRange(c, 0, 500, 0, true);
    const writing = c.flush(); // the checkpoint goes to the writer thread
    await upsertRange(c, 0, 100, 1, false); // writes go on meanwhile
    await writing;
    store.close();
    const again = VectorStore.openDir(dir);
    const expected = new Map(Array.from({ length: 500 }, (_, id) => [id, id < 100 ? 1 : 0]));
    expectPoints(again.collections()[0]!.collection, expected);

    const doomed = again.createCollection('gone', config());
    await upsertRange(doomed, 0, 200, 0, true);
    const bg = again.collections().find((s) => s.name === 'bg')!.collection;
    await upsertRange(bg, 0, 20_000, 2, false);
    const busy = bg.flush(); // keeps the writer thread busy, so the next checkpoint arrives after the delete
    const pending = doomed.flush();
    again.deleteCollection('gone');
    await Promise.all([busy, pending]);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(
      readdirSync(join(dir, 'collections')).filter((e) => !e.startsWith('.')),
      ['bg'],
      'the writer thread did not bring the deleted collection back',
    );
    again.close();
    const third = VectorStore.openDir(dir);
    assert.deepEqual(third.collections().map((s) => s.name), ['bg']);
    third.close();
  });
});

test('restoring a damaged snapshot is refused before the live collection is touched', async () => {
  await withDirs(async (dir, snaps) => {
    const store = VectorStore.openDir(dir);
    const live = store.createCollection('live', config());
    await upsertRange(live, 0, 300, 0, true);
    await live.snapshot(join(snaps, 'good'));
    await upsertRange(live, 0, 300, 1, true);
    cpSync(join(snaps, 'good'), join(snaps, 'corrupt'), { recursive: true });
    writeFileSync(join(snaps, 'corrupt', 'points.db'), Buffer.alloc(8192, 7)); // not a database
    cpSync(join(snaps, 'good'), join(snaps, 'empty'), { recursive: true });
    rmSync(join(snaps, 'empty', 'points.db'));

    for (const bad of ['corrupt', 'empty']) {
      assert.throws(() => store.restoreCollection('live', join(snaps, bad)), (err: Error & { status?: number }) => err.status === 400 && /^Wrong input: snapshot is not a valid collection/.test(err.message), bad);
      const still = store.collections().find((s) => s.name === 'live')!.collection;
      expectPoints(still, new Map(Array.from({ length: 300 }, (_, id) => [id, 1])));
    }
    assert.deepEqual(readdirSync(join(dir, 'collections')), ['live'], 'no staging directory left behind');

    const restored = store.restoreCollection('live', join(snaps, 'good'));
    expectPoints(restored, new Map(Array.from({ length: 300 }, (_, id) => [id, 0])));
    store.close();
    const again = VectorStore.openDir(dir);
    expectPoints(again.collections()[0]!.collection, new Map(Array.from({ length: 300 }, (_, id) => [id, 0])));
    again.close();
  });
});
