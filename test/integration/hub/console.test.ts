import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { TestCa } from '../../fixtures/test-ca.js';
import { serverTlsOptions } from '../../../src/core/tls/server.js';
import { ADMIN_PASSWORD, call, closeDispatchers, eventually, login, startTestHub, syncBody, type TestHub } from './support.js';
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

test('GET / shows a login form without a session, and logging in through it leads to the status page', async () => {
  const anon = await call(t, 'GET', '/');
  assert.equal(anon.status, 200);
  assert.match(String(anon.headers['content-type']), /^text\/html/);
  assert.match(anon.text, /<form method="post" action="\/api\/auth\/login">/);
  assert.match(String(anon.headers['content-security-policy']), /default-src 'none'/);
  assert.doesNotMatch(anon.text, /qdrant_service/, 'nothing about the platform before login');

  const wrong = await call(t, 'POST', '/api/auth/login', { raw: { contentType: 'application/x-www-form-urlencoded', text: 'username=admin&password=nope' } });
  assert.equal(wrong.status, 303);
  assert.equal(wrong.headers['location'], '/?login=failed');
  assert.match((await call(t, 'GET', '/?login=failed')).text, /Wrong username or password/);

  const form = await call(t, 'POST', '/api/auth/login', {
    raw: { contentType: 'application/x-www-form-urlencoded', text: `username=admin&password=${encodeURIComponent(ADMIN_PASSWORD)}` },
  });
  assert.equal(form.status, 303);
  assert.equal(form.headers['location'], '/');
  const cookie = String(form.headers['set-cookie']).split(';')[0] as string;
  const page = await call(t, 'GET', '/', { cookie });
  assert.equal(page.status, 200);
  assert.match(page.text, /Logged in as <strong>admin<\/strong>/);
  assert.match(page.text, /<td>ca<\/td><td>ca1<\/td><td><span class="ok">healthy<\/span>/);
  assert.match(page.text, /<td>gateway<\/td><td>gw1<\/td><td><span class="bad">unhealthy<\/span>/);
  assert.match(page.text, /qdrant_service/);
  assert.match(page.text, /qdrant_service-qdrant-1/);

  // The page's logout button posts an empty form; the session ends and the login form is back.
  const out = await call(t, 'POST', '/api/auth/logout', { cookie, raw: { contentType: 'application/x-www-form-urlencoded', text: '' } });
  assert.equal(out.status, 303);
  assert.equal(out.headers['location'], '/');
  assert.match((await call(t, 'GET', '/', { cookie })).text, /<form method="post" action="\/api\/auth\/login">/);
});

test('the status page shows an agent and its running instance, and escapes what it prints', async () => {
  const token = await login(t);
  const agent = await t.ca.identity('agent', 'host-a');
  const hostile = DEFAULT_STACK_YAML.replace('phoenix.router.host: qdrant ', 'phoenix.router.host: qdrant\n      note: "<script>alert(1)</script>"');
  assert.equal((await call(t, 'PUT', '/api/stacks/qdrant_service', { token, raw: { contentType: 'application/yaml', text: hostile } })).status, 200);
  const running = { id: 'qdrant_service-qdrant-1', state: 'running', pid: 999, url: 'https://127.0.0.1:43210', restarts: 2 };
  assert.equal((await call(t, 'POST', '/api/agent/sync', { identity: agent, body: syncBody('host-a', [running]) })).status, 200);
  const page = await call(t, 'GET', '/', { token });
  assert.doesNotMatch(page.text, /<script>/);
  assert.match(page.text, /note=&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.match(page.text, /<td>agent<\/td><td>host-a<\/td><td><span class="ok">healthy<\/span>/);
  assert.match(page.text, /<td>qdrant_service-qdrant-1<\/td><td>qdrant<\/td><td>host-a<\/td><td><span class="ok">running<\/span><\/td><td>https:\/\/127\.0\.0\.1:43210<\/td><td>999<\/td><td>2<\/td>/);
});

test('/metrics exposes Prometheus text', async () => {
  const res = await call(t, 'GET', '/metrics');
  assert.equal(res.status, 200);
  assert.match(res.text, /phoenix_hub_instances\{state="running"\} 1/);
  assert.match(res.text, /phoenix_hub_http_requests_total/);
});
