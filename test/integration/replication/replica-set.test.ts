/**
 * A replica set of three in-process replicas driven by assignments (what the hub's controller sends
 * through the agents): writes through any replica reach the leader and are visible on every replica
 * after wait=true; concurrent writers end with identical contents; a restarted follower catches up
 * from the log; one whose position was truncated away catches up from a snapshot (fencing and the
 * consistency knobs: consistency.test.ts).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../../helpers/eventually.js';
import { Cluster, points } from './cluster.js';

let c: Cluster;

before(async () => {
  c = await Cluster.create(['r1', 'r2', 'r3'], { lagTimeoutMs: 1500, retainRecords: 20, segmentBytes: 4096 });
});

after(async () => {
  await c?.close();
});

test('a managed replica waits for its assignment: not ready, then ready as a member', async () => {
  const ready = await c.api('r2', 'GET', '/readyz');
  assert.equal(ready.status, 503);
  assert.match(ready.text, /waiting for an assignment/);
  const statuses = await c.assign('r1', { epoch: 1 });
  assert.equal(statuses.get('r1')?.role, 'leader');
  assert.equal(statuses.get('r2')?.role, 'follower');
  await eventually(async () => {
    for (const id of ['r1', 'r2', 'r3']) assert.equal((await c.api(id, 'GET', '/readyz')).status, 200, id);
  }, 15_000);
});

test('writes through any replica are visible through every replica after wait=true', async () => {
  const created = await c.api('r2', 'PUT', '/collections/items', { vectors: { size: 4, distance: 'Cosine' } });
  assert.equal(created.status, 200, created.text);
  assert.equal(created.servedBy, 'r1', 'a follower forwards the write to the leader');
  for (const id of ['r1', 'r2', 'r3']) assert.equal((await c.api(id, 'GET', '/collections/items')).status, 200, `collection on ${id}`);
  let next = 0;
  for (const via of ['r1', 'r2', 'r3']) {
    const r = await c.api(via, 'PUT', '/collections/items/points?wait=true', { points: points(next, 10) });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.result.status, 'completed');
    for (const id of ['r1', 'r2', 'r3']) {
      const got = await c.api(id, 'POST', '/collections/items/points', { ids: [next + 9] });
      assert.equal(got.json.result.length, 1, `point ${next + 9} written via ${via} is on ${id}`);
    }
    next += 10;
  }
});

test('concurrent writers through all replicas: identical contents everywhere (full scrolls)', async () => {
  const writers = ['r1', 'r2', 'r3'].map(async (via, w) => {
    for (let i = 0; i < 15; i++) {
      const base = 1000 + w * 1000 + i * 5;
      const r = await c.api(via, 'PUT', '/collections/items/points?wait=true', { points: points(base, 5, 4, via) });
      assert.equal(r.status, 200, r.text);
      const p = await c.api(via, 'POST', '/collections/items/points/payload?wait=true', { payload: { touched: via }, filter: { must: [{ key: 'tag', match: { value: ['r1', 'r2', 'r3'][(w + 1) % 3] } }] } });
      assert.equal(p.status, 200, p.text);
    }
  });
  await Promise.all(writers);
  const leader = await c.scrollAll('r1', 'items');
  assert.ok(leader.length >= 225);
  for (const id of ['r2', 'r3']) assert.deepEqual(await c.scrollAll(id, 'items'), leader, `${id} equals the leader`);
});

test('a follower stopped and restarted catches up from the log', async () => {
  await c.stop('r3');
  for (let i = 0; i < 5; i++) assert.equal((await c.api('r2', 'PUT', '/collections/items/points?wait=true', { points: points(5000 + i * 2, 2) })).status, 200);
  await c.start('r3');
  await c.assign('r1');
  await eventually(async () => assert.deepEqual(await c.scrollAll('r3', 'items'), await c.scrollAll('r1', 'items')), 15_000);
  const s = await c.status('r3');
  assert.equal(s.snapshotsInstalled, 0, 'caught up from the log, no snapshot');
});

test('a follower whose position was truncated away catches up from a snapshot', async () => {
  await c.stop('r3');
  for (let i = 0; i < 60; i++) assert.equal((await c.api('r1', 'PUT', '/collections/items/points?wait=true', { points: points(6000 + i, 1) })).status, 200);
  await new Promise((r) => setTimeout(r, 2500)); // housekeeping truncates the leader's log
  const leader = await c.status('r1');
  assert.ok(leader.logStart > 10, `the leader let its old records go (starts at ${leader.logStart})`);
  await c.start('r3');
  await c.assign('r1');
  await eventually(async () => assert.deepEqual(await c.scrollAll('r3', 'items'), await c.scrollAll('r1', 'items')), 20_000);
  const s3 = await c.status("r3");
  assert.ok(s3.snapshotsInstalled >= 1, `installed a snapshot: ${JSON.stringify(s3)} leader ${JSON.stringify(await c.status("r1"))}`);
});
