/**
 * The hub feed as users see it through the gateway: with the default one-second discovery poll and
 * the hub's default health check, a replica added in the hub takes traffic within 2 s and a
 * replica removed stops getting traffic within 2 s — under continuous load (reads and writes) that
 * sees no failed request.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sleep } from '../../../src/core/lifecycle.js';
import type { GatewayHandle } from '../../../src/gateway/main.js';
import type { RouterHandle } from '../../../src/router/main.js';
import { API_KEY, call, load, ProxyLab, statusOf, type LabBackend } from './support.js';

let lab: ProxyLab;
let router: RouterHandle;
let gateway: GatewayHandle;
const feed: { backends: LabBackend[] } = { backends: [] };

before(async () => {
  lab = await ProxyLab.create();
  feed.backends = [await lab.backend('r1')];
  const hub = await lab.hub(() => ({
    services: [
      {
        name: 'qdrant',
        hosts: ['qdrant'],
        default: true,
        healthCheck: { path: '/readyz', intervalMs: 2000, timeoutMs: 1000 },
        backends: feed.backends.map((b) => ({ id: b.name, url: b.url, identity: b.spiffe })),
      },
    ],
  }));
  router = await lab.router({ hubUrl: hub.url, throttle: 200 });
  gateway = await lab.gateway(router.endpoints['api'] as string);
  const client = lab.client();
  await (async () => {
    for (let i = 0; i < 100; i++) {
      if ((await call(client, `${gateway.endpoints['api']}/readyz`)).status === 200) return;
      await sleep(100);
    }
    throw new Error('the chain never became ready');
  })();
});

after(() => lab.close());

test('a replica added in the hub is served within 2 s and one removed is dropped within 2 s, with no failed request', async (t) => {
  const client = lab.client({ connections: 8 });
  let n = 0;
  const traffic = load(() => {
    n++;
    const write = n % 4 === 0;
    return call(client, `${gateway.endpoints['api']}/collections/c/points${write ? '?wait=true' : '/query'}`, {
      method: write ? 'PUT' : 'POST',
      headers: { 'api-key': API_KEY, 'content-type': 'application/json' },
      body: write ? `{"points":[{"id":${n},"vector":[1,2]}]}` : '{"query":[1,2],"limit":3}',
    });
  }, 6);
  await sleep(500);

  const r2 = await lab.backend('r2');
  const added = Date.now();
  feed.backends = [...feed.backends, r2];
  for (let i = 0; i < 40 && r2.hits.length === 0; i++) await sleep(50);
  const servedAfter = (r2.hits[0]?.at ?? Infinity) - added;
  assert.ok(servedAfter <= 2000, `the new replica got its first request ${servedAfter} ms after it was added`);

  await sleep(500);
  const r1 = feed.backends[0] as LabBackend;
  const removed = Date.now();
  feed.backends = [r2];
  await sleep(2500);
  const lastToR1 = Math.max(...r1.hits.map((h) => h.at)) - removed;
  assert.ok(lastToR1 <= 2000, `the removed replica still got requests ${lastToR1} ms after removal`);
  // The removed replica goes away for good; nothing may notice.
  await r1.close();
  await sleep(500);

  const { ok, failures } = await traffic.stop();
  t.diagnostic(`added → first request ${servedAfter} ms; removed → last request ${lastToR1} ms; ${ok} requests, ${failures.length} failed`);
  assert.deepEqual(failures, [], `${failures.length} failed of ${ok + failures.length}`);
  assert.ok(ok > 50, `only ${ok} requests went through`);
  const s = await statusOf(router);
  assert.deepEqual(s.services.find((x) => x.name === 'qdrant@hub')?.backends.map((b) => b.url), [r2.url]);
});
