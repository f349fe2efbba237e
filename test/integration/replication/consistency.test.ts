/**
 * Qdrant's consistency knobs on a replica set of three in-process replicas, and fencing:
 * - `write_consistency_factor` above the set's size fails clearly; within it, writes complete;
 * - read `consistency` (`majority`, `all`, a number) on a follower sees a `wait=false` write at once
 *   (read-your-writes); a bad value is a 400;
 * - a deposed leader that never heard of the new epoch cannot complete a write (its former followers
 *   follow the new leader), its unconfirmed write never reaches the others, and once told it rejoins
 *   as a follower with the new leader's contents.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../../helpers/eventually.js';
import { Cluster, points } from './cluster.js';

let c: Cluster;

before(async () => {
  c = await Cluster.create(['r1', 'r2', 'r3'], { lagTimeoutMs: 1000, writeTimeoutMs: 2500 });
  await c.assign('r1', { epoch: 1 });
  await eventually(async () => {
    for (const id of ['r1', 'r2', 'r3']) assert.equal((await c.api(id, 'GET', '/readyz')).status, 200, id);
  }, 15_000);
});

after(async () => {
  await c?.close();
});

test('write_consistency_factor: above the replica count a write fails clearly; within it, writes complete', async () => {
  assert.equal((await c.api('r2', 'PUT', '/collections/wcf3', { vectors: { size: 4, distance: 'Dot' }, write_consistency_factor: 3 })).status, 200);
  const ok = await c.api('r3', 'PUT', '/collections/wcf3/points?wait=true', { points: points(1, 5) });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.result.status, 'completed');
  for (const id of ['r1', 'r2', 'r3']) assert.equal((await c.api(id, 'POST', '/collections/wcf3/points', { ids: [5] })).json.result.length, 1, id);

  assert.equal((await c.api('r1', 'PUT', '/collections/wcf4', { vectors: { size: 4, distance: 'Dot' }, write_consistency_factor: 4 })).status, 200);
  const refused = await c.api('r2', 'PUT', '/collections/wcf4/points?wait=true', { points: points(1, 1) });
  assert.equal(refused.status, 503, refused.text);
  assert.match(refused.text, /write_consistency_factor 4 exceeds the 3 replicas/);
  assert.equal((await c.api('r1', 'GET', '/readyz')).status, 200, 'the leader keeps serving');
});

test('read consistency: a follower answers a wait=false write at once with consistency majority/all/2; a bad value is a 400', async () => {
  assert.equal((await c.api('r1', 'PUT', '/collections/ryw', { vectors: { size: 4, distance: 'Dot' } })).status, 200);
  for (const [i, consistency] of ['majority', 'all', '2', 'quorum'].entries()) {
    const id = 100 + i;
    const w = await c.api('r1', 'PUT', '/collections/ryw/points?wait=false', { points: points(id, 1) });
    assert.equal(w.status, 200, w.text);
    for (const f of ['r2', 'r3']) {
      const got = await c.api(f, 'POST', `/collections/ryw/points?consistency=${consistency}`, { ids: [id] });
      assert.equal(got.status, 200, got.text);
      assert.equal(got.servedBy, f, 'answered by the follower itself');
      assert.equal(got.json.result.length, 1, `point ${id} read on ${f} with consistency=${consistency}`);
    }
  }
  const bad = await c.api('r2', 'POST', '/collections/ryw/points?consistency=most', { ids: [100] });
  assert.equal(bad.status, 400, bad.text);
  const zero = await c.api('r2', 'POST', '/collections/ryw/points?consistency=0', { ids: [100] });
  assert.equal(zero.status, 400, zero.text);
});

test('fencing: a deposed leader cannot complete writes; once told, it rejoins with the new leader’s contents', async () => {
  assert.equal((await c.api('r1', 'PUT', '/collections/fence', { vectors: { size: 4, distance: 'Dot' } })).status, 200);
  assert.equal((await c.api('r1', 'PUT', '/collections/fence/points?wait=true', { points: points(1, 10) })).json.result.status, 'completed');
  // r2 and r3 move to epoch 2 under r2; r1 is cut off from the hub and still believes it leads epoch 1.
  await c.assign(null, { epoch: 2, only: ['r2', 'r3'] });
  await c.assign('r2', { epoch: 2, only: ['r2', 'r3'] });
  const stale = await c.api('r1', 'PUT', '/collections/fence/points?wait=true', { points: points(500, 1) });
  assert.equal(stale.status, 503, `the deposed leader did not complete the write: ${stale.status} ${stale.text}`);
  assert.notEqual(stale.json?.result?.status, 'completed');
  const fresh = await c.api('r3', 'PUT', '/collections/fence/points?wait=true', { points: points(600, 3) });
  assert.equal(fresh.status, 200, fresh.text);
  assert.equal(fresh.servedBy, 'r2', 'writes go to the new leader');
  for (const id of ['r2', 'r3']) assert.equal((await c.api(id, 'POST', '/collections/fence/points', { ids: [500] })).json.result.length, 0, `the unconfirmed write is not on ${id}`);
  // r1 hears of epoch 2: it follows r2 and ends with r2's contents (its own unconfirmed write gone).
  await c.assign('r2', { epoch: 2 });
  await eventually(async () => assert.deepEqual(await c.scrollAll('r1', 'fence'), await c.scrollAll('r2', 'fence')), 20_000);
  const s1 = await c.status('r1');
  assert.equal(s1.role, 'follower');
  assert.equal(s1.epoch, 2);
  assert.deepEqual(await c.scrollAll('r3', 'fence'), await c.scrollAll('r2', 'fence'));
});
