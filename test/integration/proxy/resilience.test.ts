/**
 * Services under trouble, at the router: a hung backend is ejected and traffic continues; a
 * connection that cannot be made is retried elsewhere whatever the method; passive ejection with
 * timed re-admission; the circuit breaker; the retry budget; weighted round robin and power of two
 * choices.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Agent } from 'undici';
import { sleep } from '../../../src/core/lifecycle.js';
import { eventually } from '../../helpers/eventually.js';
import { call, echo, load, ProxyLab, statusOf, type LabBackend } from './support.js';

let lab: ProxyLab;
let client: Agent;

before(async () => {
  lab = await ProxyLab.create();
  client = await lab.asGateway();
});
after(() => lab.close());

const server = (b: LabBackend, weight = 1) => ({ url: b.url, identity: b.spiffe, weight });
const query = (url: string) => call(client, `${url}/collections/c/points/query`, { method: 'POST', headers: { host: 'qdrant', 'content-type': 'application/json' }, body: '{"query":[1,2]}' });

describe('a hung backend', () => {
  test('is ejected and traffic continues: reads are retried elsewhere and soon stop waiting for it', async (t) => {
    const good = await lab.backend('good');
    const hung = await lab.backend('hung');
    hung.handler = () => undefined; // accepts, reads, never answers — health checks included
    const router = await lab.router({
      providers: {
        static: {
          services: {
            q: {
              servers: [server(good), server(hung)],
              healthCheck: { path: '/readyz', interval: '300ms', timeout: '250ms' },
              passiveHealthCheck: { maxFailures: 2, ejectFor: '10s' },
              responseTimeout: '700ms',
            },
          },
          routers: { q: { rule: 'PathPrefix(`/`)', service: 'q' } },
        },
      },
    });
    await eventually(async () => assert.equal((await statusOf(router)).services[0]?.backends[0]?.available, true));
    const traffic = load(() => query(router.endpoints['api'] as string), 4);
    await sleep(1500);
    const started = Date.now();
    let slow = 0;
    for (let i = 0; i < 20; i++) {
      const t0 = Date.now();
      assert.equal((await query(router.endpoints['api'] as string)).status, 200);
      if (Date.now() - t0 > 500) slow++;
    }
    const { ok, failures } = await traffic.stop();
    t.diagnostic(`${ok} requests under load, ${failures.length} failed; after ejection ${slow}/20 slow, 20 in ${Date.now() - started} ms`);
    assert.deepEqual(failures, []);
    assert.equal(slow, 0, 'after ejection no request waits for the hung backend');
    const s = await statusOf(router);
    const state = s.services[0]?.backends.find((b) => b.url === hung.url);
    assert.equal(state?.available, false);
    assert.match(state?.health ?? '', /down|ejected/);
  });
});

describe('retries', () => {
  let dead: Server;
  let deadUrl: string;
  before(async () => {
    // A port that refuses connections: listen, note the port, close.
    dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    deadUrl = `https://127.0.0.1:${(dead.address() as AddressInfo).port}`;
    await new Promise<void>((r) => dead.close(() => r()));
  });

  test('a write whose connection cannot be made is sent to another backend (it never left)', async () => {
    const good = await lab.backend('w-good');
    const router = await lab.router({
      providers: {
        static: {
          services: { q: { servers: [{ url: deadUrl, identity: good.spiffe }, server(good)], passiveHealthCheck: { maxFailures: 1, ejectFor: '30s' } } },
          routers: { q: { rule: 'PathPrefix(`/`)', service: 'q' } },
        },
      },
    });
    for (let i = 0; i < 6; i++) {
      const a = await call(client, `${router.endpoints['api']}/collections/c/points?wait=true`, { method: 'PUT', headers: { host: 'qdrant', 'content-type': 'application/json' }, body: `{"points":[{"id":${i},"vector":[1]}]}` });
      assert.equal(a.status, 200, a.text);
    }
    assert.equal(good.hits.length, 6, 'every write reached the good backend exactly once');
    const s = await statusOf(router);
    assert.equal(s.services[0]?.backends.find((b) => b.url === deadUrl)?.available, false, 'the dead backend is ejected');
  });

  test('the retry budget caps retries: with no budget a read that times out is answered 504', async () => {
    const hung = await lab.backend('b-hung');
    hung.handler = () => undefined;
    const other = await lab.backend('b-other');
    const router = await lab.router({
      providers: {
        static: {
          services: { q: { strategy: 'wrr', servers: [server(hung), server(other)], responseTimeout: '300ms', retry: { attempts: 3, budgetRatio: 0, minPerSecond: 0 }, passiveHealthCheck: { maxFailures: 100 } } },
          routers: { q: { rule: 'PathPrefix(`/`)', service: 'q' } },
        },
      },
    });
    const first = await query(router.endpoints['api'] as string);
    assert.equal(first.status, 504);
    assert.match(first.text, /did not answer within the response timeout/);
    const second = await query(router.endpoints['api'] as string);
    assert.equal(second.status, 200);
  });
});

describe('passive health and the circuit breaker', () => {
  test('a backend failing 3 times in a row is ejected, then re-admitted after ejectFor', async () => {
    const flaky = await lab.backend('flaky');
    const steady = await lab.backend('steady');
    flaky.handler = (_req, res) => res.writeHead(502).end('bad gateway');
    const router = await lab.router({
      providers: {
        static: {
          services: { q: { servers: [server(flaky), server(steady)], passiveHealthCheck: { maxFailures: 3, ejectFor: '1s' } } },
          routers: { q: { rule: 'PathPrefix(`/`)', service: 'q' } },
        },
      },
    });
    for (let i = 0; i < 10; i++) await query(router.endpoints['api'] as string);
    assert.equal(flaky.hits.length, 3, 'after 3 failures in a row no more traffic');
    assert.equal((await statusOf(router)).services[0]?.backends[0]?.health, 'ejected');
    flaky.handler = echo('flaky');
    await sleep(1100);
    for (let i = 0; i < 10; i++) assert.equal((await query(router.endpoints['api'] as string)).status, 200);
    assert.ok(flaky.hits.length >= 6, 're-admitted after the pause');
  });

  test('the circuit opens when most requests fail, answers 503 at once, and closes after a good probe', async () => {
    const failing = await lab.backend('failing');
    failing.handler = (_req, res) => res.writeHead(503).end('{"status":{"error":"down"},"time":0}');
    const router = await lab.router({
      providers: {
        static: {
          services: { q: { servers: [server(failing)], passiveHealthCheck: { maxFailures: 1000 }, circuitBreaker: { minRequests: 5, failureRatio: 0.5, window: '10s', openFor: '800ms' } } },
          routers: { q: { rule: 'PathPrefix(`/`)', service: 'q' } },
        },
      },
    });
    for (let i = 0; i < 5; i++) assert.equal((await query(router.endpoints['api'] as string)).status, 503);
    const open = await query(router.endpoints['api'] as string);
    assert.equal(open.status, 503);
    assert.equal(open.headers['x-phoenix-error'], 'PROXY_CIRCUIT_OPEN');
    assert.equal(failing.hits.length, 5, 'an open circuit sends nothing to the service');
    assert.equal((await statusOf(router)).services[0]?.circuit, 'open');
    failing.handler = echo('failing');
    await sleep(900);
    assert.equal((await query(router.endpoints['api'] as string)).status, 200, 'the probe passes');
    assert.equal((await statusOf(router)).services[0]?.circuit, 'closed');
  });
});

describe('balancing', () => {
  test('weighted round robin shares traffic by weight and skips weight 0', async () => {
    const [w3, w1, w0] = [await lab.backend('w3'), await lab.backend('w1'), await lab.backend('w0')];
    const router = await lab.router({
      providers: { static: { services: { q: { strategy: 'wrr', servers: [server(w3, 3), server(w1, 1), server(w0, 0)] } }, routers: { q: { rule: 'PathPrefix(`/`)', service: 'q' } } } },
    });
    const seen: string[] = [];
    for (let i = 0; i < 40; i++) seen.push((await query(router.endpoints['api'] as string)).json?.result?.backend ?? '?');
    assert.deepEqual([w3.hits.length, w1.hits.length, w0.hits.length], [30, 10, 0]);
    assert.deepEqual(seen.slice(0, 4).sort(), ['w1', 'w3', 'w3', 'w3'], 'smooth: the light backend is not starved until the end of a cycle');
  });

  test('power of two choices steers away from a slow backend', async () => {
    const slow = await lab.backend('slow');
    const fast = await lab.backend('fast');
    slow.handler = (req, res, body) => setTimeout(() => echo('slow')(req, res, body), 300);
    const router = await lab.router({
      providers: { static: { services: { q: { strategy: 'p2c', servers: [server(slow), server(fast)] } }, routers: { q: { rule: 'PathPrefix(`/`)', service: 'q' } } } },
    });
    const traffic = load(() => query(router.endpoints['api'] as string), 8);
    await sleep(1500);
    const { failures } = await traffic.stop();
    assert.deepEqual(failures, []);
    assert.ok(fast.hits.length > 4 * slow.hits.length, `fast ${fast.hits.length} vs slow ${slow.hits.length}`);
  });
});
