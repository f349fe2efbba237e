/**
 * The data path without the other roles: gateway → router → replicas, all with real certificates
 * and mTLS, the router's discovery feed served by a small hub stand-in (the real hub is exercised
 * end to end in test/integration/platform).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import { Agent, request } from 'undici';
import { TestCa, TEST_TRUST_DOMAIN } from '../../fixtures/test-ca.js';
import { silentLogger } from '../../../src/core/log.js';
import { startGateway } from '../../../src/gateway/main.js';
import { startRouter } from '../../../src/router/main.js';
import { gatewayConfigSchema } from '../../../src/gateway/config.js';
import { routerConfigSchema } from '../../../src/router/config.js';
import type { RoleHandle } from '../../../src/core/lifecycle.js';
import type { TlsIdentity } from '../../../src/core/tls/index.js';
import { startMtlsServer, type TestServer } from '../../helpers/tls-servers.js';
import { eventually } from '../../helpers/eventually.js';

const API_KEY = 'test-api-key-0123456789';

interface Feed {
  backends: Array<{ id: string; url: string; identity: string }>;
}

describe('gateway → router → replicas', () => {
  let ca: TestCa;
  let gateway: RoleHandle;
  let router: RoleHandle & { status(): { services: Array<{ backends: Array<{ url: string; health: string }> }> } };
  let hub: TestServer;
  const replicas: TestServer[] = [];
  const seenAtReplica: Array<{ replica: string; path: string; host: string | undefined; requestId: string | undefined; apiKey: string | undefined }> = [];
  const feed: Feed = { backends: [] };
  let gatewayIdentity: TlsIdentity;
  let client: Agent;

  async function startReplica(name: string, identityName = name, role = 'vector', port = 0): Promise<TestServer> {
    const id = await ca.identity(role, identityName);
    const s = await startMtlsServer(id, ['router'], (req, res) => {
      seenAtReplica.push({ replica: name, path: req.url ?? '', host: req.headers.host, requestId: req.headers['x-request-id'] as string | undefined, apiKey: req.headers['api-key'] as string | undefined });
      if (req.url === '/readyz') return void res.end('all shards are ready');
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ result: { replica: name, echo: body }, status: 'ok', time: 0 }));
      });
    }, port);
    replicas.push(s);
    return s;
  }

  before(async () => {
    ca = await TestCa.create();
    const hubIdentity = await ca.identity('hub', 'hub');
    hub = await startMtlsServer(hubIdentity, ['router'], (_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ services: [{ name: 'qdrant', hosts: ['qdrant'], default: true, healthCheck: { path: '/readyz', intervalMs: 200, timeoutMs: 500 }, backends: feed.backends }] }));
    });
    const r1 = await startReplica('r1');
    feed.backends = [{ id: 'r1', url: r1.url, identity: `spiffe://${TEST_TRUST_DOMAIN}/vector/r1` }];
    router = (await startRouter(
      routerConfigSchema.parse({ name: 'router', trustDomain: TEST_TRUST_DOMAIN, dataDir: '/tmp', listen: { port: 0 }, hubUrl: hub.url, discoveryInterval: 200 }),
      { identity: await ca.identity('router', 'router'), logger: silentLogger() },
    )) as typeof router;
    gatewayIdentity = await ca.identity('gateway', 'gw');
    const countingLogger = silentLogger();
    gateway = await startGateway(
      gatewayConfigSchema.parse({ name: 'gw', trustDomain: TEST_TRUST_DOMAIN, dataDir: '/tmp', listen: { port: 0 }, routerUrl: router.endpoints.api, apiKey: API_KEY }),
      { identity: gatewayIdentity, logger: countingLogger },
    );
    client = new Agent({ connect: { ca: ca.rootPem } });
    await eventually(() => assert.equal(router.status().services[0]?.backends[0]?.health, 'up'));
  });

  after(async () => {
    await gateway?.close();
    await router?.close();
    await hub?.close();
    for (const r of replicas) await r.close();
    await client?.close();
  });

  const gw = (path: string, init: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string } = {}) =>
    request(`${gateway.endpoints.api}${path}`, { dispatcher: client, method: init.method ?? 'GET', headers: init.headers ?? {}, body: init.body ?? null });

  test('an authorised request reaches a replica with the request id, the client’s host, and without the API key', async () => {
    const before = seenAtReplica.length;
    const res = await gw('/collections/x/points/query', { method: 'POST', headers: { 'api-key': API_KEY, 'x-request-id': 'req-abc-1', 'content-type': 'application/json' }, body: '{"query":[1,2]}' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['x-request-id'], 'req-abc-1');
    const body = (await res.body.json()) as { result: { replica: string; echo: string } };
    assert.equal(body.result.echo, '{"query":[1,2]}');
    const seen = seenAtReplica.slice(before).find((s) => s.path === '/collections/x/points/query');
    assert.ok(seen, 'the replica saw the request');
    assert.equal(seen.requestId, 'req-abc-1');
    assert.equal(seen.host, new URL(gateway.endpoints.api as string).host, 'the client’s Host goes through (the router routes on it)');
    assert.equal(seen.apiKey, undefined, 'credentials stay at the gateway');
  });

  test('Authorization: Bearer works like api-key', async () => {
    const res = await gw('/collections', { headers: { authorization: `Bearer ${API_KEY}` } });
    assert.equal(res.statusCode, 200);
    await res.body.dump();
  });

  test('no key → 401, wrong key → 403, and nothing reaches the replicas', async () => {
    const before = seenAtReplica.filter((s) => s.path !== '/readyz').length;
    const missing = await gw('/collections');
    assert.equal(missing.statusCode, 401);
    assert.match(await missing.body.text(), /Must provide an API key/);
    const wrong = await gw('/collections', { headers: { 'api-key': 'not-the-key' } });
    assert.equal(wrong.statusCode, 403);
    assert.match(await wrong.body.text(), /Invalid API key/);
    const wrongBearer = await gw('/collections', { headers: { authorization: 'Bearer nope' } });
    assert.equal(wrongBearer.statusCode, 403);
    await wrongBearer.body.dump();
    assert.equal(seenAtReplica.filter((s) => s.path !== '/readyz').length, before);
  });

  test('liveness is answered by the gateway without a key; readiness comes from the replicas', async () => {
    const live = await gw('/healthz');
    assert.equal(live.statusCode, 200);
    assert.equal(await live.body.text(), 'healthz check passed');
    const ready = await gw('/readyz');
    assert.equal(ready.statusCode, 200);
    assert.equal(await ready.body.text(), 'all shards are ready');
  });

  test('the router refuses clients without a certificate and with non-gateway identities', async () => {
    const tryRouter = (opts: { key?: string; cert?: string }) =>
      new Promise<number>((resolve, reject) => {
        const req = httpsRequest(`${router.endpoints.api}/collections`, { ca: ca.rootPem, ...opts, agent: false, servername: 'localhost' }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    await assert.rejects(tryRouter({}), 'no client certificate');
    for (const role of ['vector', 'agent', 'hub']) {
      const id = await ca.identity(role, `intruder-${role}`);
      await assert.rejects(tryRouter({ key: id.current.keyPem, cert: id.current.chainPem }), `${role} identity must be refused`);
    }
    assert.equal(await tryRouter({ key: gatewayIdentity.current.keyPem, cert: gatewayIdentity.current.chainPem }), 200);
  });

  test('round robin over every healthy replica the feed lists', async () => {
    const r2 = await startReplica('r2');
    feed.backends = [...feed.backends, { id: 'r2', url: r2.url, identity: `spiffe://${TEST_TRUST_DOMAIN}/vector/r2` }];
    await eventually(() => assert.deepEqual(router.status().services[0]?.backends.map((b) => b.health), ['up', 'up']));
    const hits = new Map<string, number>();
    for (let i = 0; i < 10; i++) {
      const res = await gw('/collections', { headers: { 'api-key': API_KEY } });
      const body = (await res.body.json()) as { result: { replica: string } };
      hits.set(body.result.replica, (hits.get(body.result.replica) ?? 0) + 1);
    }
    assert.deepEqual([...hits.entries()].sort(), [['r1', 5], ['r2', 5]]);
    feed.backends = feed.backends.filter((b) => b.id !== 'r2');
    await eventually(() => assert.equal(router.status().services[0]?.backends.length, 1));
  });

  test('a replica presenting the wrong identity gets no traffic', async () => {
    const impostor = await startReplica('imp', 'imp', 'agent');
    feed.backends = [{ id: 'imp', url: impostor.url, identity: `spiffe://${TEST_TRUST_DOMAIN}/vector/imp` }];
    await eventually(() => assert.equal(router.status().services[0]?.backends[0]?.url, impostor.url));
    await new Promise((r) => setTimeout(r, 500));
    const res = await gw('/collections', { headers: { 'api-key': API_KEY } });
    assert.equal(res.statusCode, 503);
    await res.body.dump();
    assert.equal(seenAtReplica.filter((s) => s.replica === 'imp').length, 0);
  });

  test('with its only replica gone the chain answers 503 at once, and recovers when it returns', async () => {
    const r3 = await startReplica('r3');
    const port = r3.port;
    feed.backends = [{ id: 'r3', url: r3.url, identity: `spiffe://${TEST_TRUST_DOMAIN}/vector/r3` }];
    await eventually(async () => {
      const ok = await gw('/collections', { headers: { 'api-key': API_KEY } });
      assert.equal(((await ok.body.json()) as { result: { replica: string } }).result.replica, 'r3');
    });
    await r3.close();
    r3.server.closeAllConnections();
    const started = Date.now();
    const res = await gw('/collections', { headers: { 'api-key': API_KEY } });
    assert.equal(res.statusCode, 503);
    const body = (await res.body.json()) as { status: { error: string } };
    assert.match(body.status.error, /no healthy backend/);
    assert.ok(Date.now() - started < 1000, `503 took ${Date.now() - started} ms`);
    await startReplica('r3-back', 'r3', 'vector', port);
    await eventually(async () => {
      const ok = await gw('/collections', { headers: { 'api-key': API_KEY } });
      assert.equal(((await ok.body.json()) as { result: { replica: string } }).result.replica, 'r3-back');
    });
  });
});
