import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../core/log.js';
import { SyncLoop } from './sync-loop.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('the sync loop runs every interval, right away when poked, and never overlaps', async () => {
  const ac = new AbortController();
  let runs = 0;
  let active = 0;
  let maxActive = 0;
  const loop = new SyncLoop(
    10_000,
    async () => {
      runs++;
      active++;
      maxActive = Math.max(maxActive, active);
      await sleep(20);
      active--;
    },
    silentLogger(),
  );
  const done = loop.run(ac.signal);
  await sleep(50);
  assert.equal(runs, 1, 'one run at start, then it waits for the (long) interval');
  loop.poke();
  await sleep(50);
  assert.equal(runs, 2, 'a poke runs it at once');
  // Pokes during a run cause exactly one more run after it.
  loop.poke();
  await sleep(5);
  loop.poke();
  loop.poke();
  await sleep(100);
  assert.equal(runs, 4);
  assert.equal(maxActive, 1);
  ac.abort();
  await done;
});

test('a failing sync is retried every interval and the loop stops when aborted', async () => {
  const ac = new AbortController();
  let runs = 0;
  const loop = new SyncLoop(
    20,
    async () => {
      runs++;
      throw new Error('hub unreachable');
    },
    silentLogger(),
  );
  const done = loop.run(ac.signal);
  await sleep(150);
  assert.ok(runs >= 4, `expected retries, saw ${runs}`);
  ac.abort();
  await done;
  const after = runs;
  await sleep(60);
  assert.equal(runs, after, 'no runs after abort');
});
