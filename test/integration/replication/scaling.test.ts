/**
 * The replicated service on a real `phoenix up`, through the gateway with the official client:
 * scaling 1 → 3 → 2 through the hub (`phoenix scale`) under a read/write load loses no request and
 * no write; with three replicas, writes through any replica are visible through every replica after
 * wait=true, and concurrent writers leave every replica with identical contents (full scrolls);
 * `phoenix status` shows each replica's role, epoch, applied position and lag.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { eventually } from '../../helpers/eventually.js';
import { PHOENIX_BIN, removeHome, startPlatform, viaGateway, type Platform } from '../../helpers/platform.js';
import { Support, type SetView } from './platform-support.js';

let p: Platform;
let s: Support;

before(async () => {
  p = await startPlatform();
  s = await Support.create(p);
});

after(async () => {
  await s?.close();
  await p?.stop();
  removeHome(p);
});

function cli(...args: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [PHOENIX_BIN, ...args], { env: { ...process.env, PHOENIX_HOME: p.home, PHOENIX_ADMIN_PASSWORD: p.adminPassword }, input: `${p.adminPassword}\n`, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Waits until the set has exactly these many members, a leader, and every member in sync and ready. */
async function settled(n: number, timeoutMs = 120_000): Promise<SetView> {
  return eventually(async () => {
    const set = await s.set();
    const members = set.replicas.filter((r) => !r.retiring);
    assert.equal(set.phase, n === 1 ? 'standalone' : 'stable', JSON.stringify(set));
    assert.equal(members.length, n, JSON.stringify(set));
    for (const r of members) {
      assert.equal(r.state, 'running', `${r.id} ${JSON.stringify(r)}`);
      assert.ok(r.ready && r.inSync && !r.joining, `${r.id} in sync and ready: ${JSON.stringify(r)}`);
      assert.equal(r.epoch, set.epoch, `${r.id} at the set's epoch`);
    }
    return set;
  }, timeoutMs, 250);
}

test('scaling 1 → 3 → 2 through the hub under a read/write load loses no request and no write', async () => {
  assert.equal((await viaGateway(p, 'PUT', '/collections/load', { vectors: { size: 8, distance: 'Cosine' } })).status, 200);
  await settled(1);
  const load = s.startLoad({ COLLECTION: 'load', WRITERS: '2', READERS: '2', ID_BASE: '1' });
  await new Promise((r) => setTimeout(r, 3000));

  assert.equal(cli('login', '--password-stdin').status, 0);
  const up = cli('scale', 'qdrant_service/qdrant=3');
  assert.equal(up.status, 0, up.out);
  const three = await settled(3);
  assert.equal(three.leader, 'qdrant_service-qdrant-1', 'the replica that served alone leads: the others copied it');
  await new Promise((r) => setTimeout(r, 3000));

  const down = cli('scale', 'qdrant_service/qdrant=2');
  assert.equal(down.status, 0, down.out);
  await eventually(async () => assert.equal((await s.set()).replicas.length, 2), 60_000, 250);
  await settled(2);
  await new Promise((r) => setTimeout(r, 2000));
  const result = await load.stop();

  assert.deepEqual(result.writeErrors, [], 'no write failed');
  assert.deepEqual(result.readErrors, [], 'no read failed');
  assert.deepEqual(result.missing, [], 'every completed write was found by the readers');
  assert.ok(result.completed.length > 50 && result.reads > 50, `load ran: ${result.completed.length} points written, ${result.reads} reads`);
  const one = await s.scrollAll('qdrant_service-qdrant-1', 'load');
  const two = await s.scrollAll('qdrant_service-qdrant-2', 'load');
  assert.deepEqual(two, one, 'both replicas hold the same points');
  const held = new Set(one.map((x) => x.id));
  assert.deepEqual(
    result.completed.filter((id) => !held.has(id)),
    [],
    'no completed write is missing',
  );
});

test('three replicas through the gateway: writes through any replica are visible through every replica after wait=true', async () => {
  const scaled = cli('scale', 'qdrant_service/qdrant=3');
  assert.equal(scaled.status, 0, scaled.out);
  const set = await settled(3);
  const ids = set.replicas.map((r) => r.id);
  assert.equal((await viaGateway(p, 'PUT', '/collections/any', { vectors: { size: 4, distance: 'Dot' } })).status, 200);
  for (const id of ids) assert.equal((await s.direct(id, 'GET', '/collections/any')).status, 200, `collection created through the gateway is on ${id}`);
  let n = 1;
  for (const via of ids) {
    const batch = Array.from({ length: 4 }, (_, k) => ({ id: n + k, vector: [1, 2, 3, n + k], payload: { via } }));
    const w = await s.direct(via, 'PUT', '/collections/any/points?wait=true', { points: batch });
    assert.equal(w.status, 200, JSON.stringify(w.json));
    assert.equal(w.json.result.status, 'completed');
    assert.equal(w.servedBy, set.leader, `${via} ${via === set.leader ? 'applies' : 'forwards the write to the leader'}`);
    for (const id of ids) {
      const r = await s.direct(id, 'POST', '/collections/any/points', { ids: batch.map((b) => b.id), with_payload: true });
      assert.equal(r.servedBy, id, `${id} answers itself`);
      assert.deepEqual(
        r.json.result.map((x: { id: number; payload: unknown }) => [x.id, x.payload]),
        batch.map((b) => [b.id, { via }]),
        `written through ${via}, read through ${id}`,
      );
    }
    n += 4;
  }
});

test('concurrent writers with the official client through the gateway: every replica ends with identical contents', async () => {
  assert.equal((await viaGateway(p, 'PUT', '/collections/concurrent', { vectors: { size: 8, distance: 'Cosine' } })).status, 200);
  const result = await s.startLoad({ COLLECTION: 'concurrent', WRITERS: '4', READERS: '1', WRITES: '25', PAYLOADS: '1', ID_BASE: '1' }).done;
  assert.deepEqual(result.writeErrors, []);
  assert.equal(result.completed.length, 4 * 25 * 5);
  assert.equal(result.payloadWrites, 4 * 25, 'payload updates by filter interleaved with the upserts');
  const set = await settled(3);
  const scrolls = await Promise.all(set.replicas.map((r) => s.scrollAll(r.id, 'concurrent')));
  assert.equal(scrolls[0]!.length, 500);
  for (let i = 1; i < scrolls.length; i++) assert.deepEqual(scrolls[i], scrolls[0], `${set.replicas[i]!.id} equals ${set.replicas[0]!.id}`);
  const status = cli('status');
  assert.equal(status.status, 0, status.out);
  for (const r of set.replicas) assert.match(status.out, new RegExp(`replica ${r.id}\\s+running (leader|follower) epoch ${set.epoch} position \\d+ lag \\d+`), status.out);
});
