import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { TestCa } from '../../fixtures/test-ca.js';
import { serverTlsOptions } from '../../../src/core/tls/server.js';
import { call, closeDispatchers, eventually, login, startTestHub, syncBody, type TestHub } from './support.js';
import { DEFAULT_STACK_YAML } from '../../../src/hub/stacks/default.js';

let t: TestHub;
let caServer: Server;
before(async () => {
  const ca = await TestCa.create();
  // A stand-in for the CA role's health endpoint, served with a certificate from our root.
  const caIdentity = await ca.identity('ca', 'ca1');
  caServer = createServer(serverTlsOptions(caIdentity, 'none'), (_req, res) => res.setHeader('content-type', 'application/json').end('{"status":"ok"}'));
  await new Promise<void>((r) => caServer.listen(0, '127.0.0.1', r));
  const caPort = (caServer.address() as AddressInfo).port;
  // A gateway that is not running: a port nothing listens on.
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const deadPort = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));
  t = await startTestHub(
    {
      peers: [
        { role: 'ca', name: 'ca1', healthUrl: `https://localhost:${caPort}/health` },
        { role: 'gateway', name: 'gw1', healthUrl: `https://localhost:${deadPort}/health` },
      ],
      health: { peerInterval: '200ms', peerTimeout: '1s' },
    },
    { ca },
  );
});
after(async () => {
  await t.cleanup();
  caServer.close();
  await closeDispatchers();
});

test('/api/status shows the CA healthy and a gateway that does not answer as unhealthy, with the reason', async () => {
  const token = await login(t);
  await eventually(async () => {
    const res = await call(t, 'GET', '/api/status', { token });
    const byRole = Object.fromEntries(res.json.roles.map((r: { role: string }) => [r.role, r]));
    assert.equal(byRole.ca.healthy, true);
    assert.equal(byRole.ca.name, 'ca1');
    assert.ok(byRole.ca.lastSeenAt);
    assert.equal(byRole.gateway.healthy, false);
    assert.match(byRole.gateway.detail, /unreachable|ECONNREFUSED/);
    assert.equal(byRole.gateway.lastSeenAt, null);
    assert.equal(byRole.hub.healthy, true);
  }, 5000);
});

test('GET / and every console path serve the web console shell with a strict CSP; API paths stay problem+json', async () => {
  for (const path of ['/', '/stacks/qdrant_service', '/instances']) {
    const res = await call(t, 'GET', path);
    assert.match(String(res.headers['content-type']), /^text\/(html|plain)/);
    // 200 with the built app (npm run build), 503 with instructions when the console was not built.
    assert.ok(res.status === 200 || res.status === 503, `${path}: ${res.status}`);
    const csp = String(res.headers['content-security-policy']);
    for (const directive of ["default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"]) assert.ok(csp.includes(directive), `CSP lacks ${directive}: ${csp}`);
    assert.equal(res.headers['x-frame-options'], 'DENY');
    assert.doesNotMatch(res.text, /qdrant_service-qdrant-1/, 'nothing about the platform is in the shell');
  }
  const api = await call(t, 'GET', '/api/nothing-here');
  assert.equal(api.status, 404);
  assert.match(String(api.headers['content-type']), /problem\+json/);
});

test('an agent and its running instance show in the API, and hostile stack text comes back as data', async () => {
  const token = await login(t);
  const agent = await t.ca.identity('agent', 'host-a');
  const hostile = DEFAULT_STACK_YAML.replace('phoenix.router.host: qdrant ', 'phoenix.router.host: qdrant\n      note: "<script>alert(1)</script>"');
  assert.equal((await call(t, 'PUT', '/api/stacks/qdrant_service', { token, raw: { contentType: 'application/yaml', text: hostile } })).status, 200);
  const running = { id: 'qdrant_service-qdrant-1', state: 'running', pid: 999, url: 'https://127.0.0.1:43210', restarts: 2 };
  assert.equal((await call(t, 'POST', '/api/agent/sync', { identity: agent, body: syncBody('host-a', [running]) })).status, 200);
  const stack = await call(t, 'GET', '/api/stacks/qdrant_service', { token });
  assert.equal(stack.json.services[0].labels.note, '<script>alert(1)</script>');
  assert.match(String(stack.headers['content-type']), /^application\/json/);
  const instances = await call(t, 'GET', '/api/instances', { token });
  const i = instances.json.find((x: { id: string }) => x.id === 'qdrant_service-qdrant-1');
  assert.deepEqual([i.agent, i.state, i.url, i.pid, i.restarts], ['host-a', 'running', 'https://127.0.0.1:43210', 999, 2]);
});

test('/metrics exposes Prometheus text', async () => {
  const res = await call(t, 'GET', '/metrics');
  assert.equal(res.status, 200);
  assert.match(res.text, /phoenix_hub_instances\{state="running"\} 1/);
  assert.match(res.text, /phoenix_hub_http_requests_total/);
});
