import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { CA_URL, call, closeDispatchers, eventually, login, startTestHub, syncBody, type TestHub } from './support.js';
import type { TlsIdentity } from '../../../src/core/tls/identity.js';

const INSTANCE = 'qdrant_service-qdrant-1';
const VECTOR_ID = `spiffe://phoenix.test/vector/${INSTANCE}`;

let t: TestHub;
let token: string;
let agentA: TlsIdentity;
let agentB: TlsIdentity;
let router: TlsIdentity;
let gateway: TlsIdentity;
before(async () => {
  t = await startTestHub();
  token = await login(t);
  [agentA, agentB, router, gateway] = await Promise.all([t.ca.identity('agent', 'host-a'), t.ca.identity('agent', 'host-b'), t.ca.identity('router', 'r1'), t.ca.identity('gateway', 'g1')]);
});
after(async () => {
  await t.cleanup();
  await closeDispatchers();
});

test('/api/agent/sync is refused without a client certificate and for a router identity', async () => {
  const anonymous = await call(t, 'POST', '/api/agent/sync', { body: syncBody('host-a') });
  assert.equal(anonymous.status, 403, anonymous.text);
  assert.match(anonymous.json.detail, /requires a client certificate with identity spiffe:\/\/phoenix\.test\/agent\/\*; no verified client certificate/);
  const asRouter = await call(t, 'POST', '/api/agent/sync', { identity: router, body: syncBody('r1') });
  assert.equal(asRouter.status, 403);
  assert.match(asRouter.json.detail, /got spiffe:\/\/phoenix\.test\/router\/r1/);
  // A session does not replace the certificate either.
  assert.equal((await call(t, 'POST', '/api/agent/sync', { token, body: syncBody('host-a') })).status, 403);
  // Nothing was registered by the refused calls.
  assert.deepEqual((await call(t, 'GET', '/api/agents', { token })).json, []);
});

test('/api/agent/sync accepts an agent identity and answers with its desired instances', async () => {
  const res = await call(t, 'POST', '/api/agent/sync', { identity: agentA, body: syncBody('host-a') });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.json.keep, []);
  assert.equal(res.json.instances.length, 1);
  const [desired] = res.json.instances;
  assert.deepEqual({ ...desired, specHash: typeof desired.specHash }, {
    id: INSTANCE,
    stack: 'qdrant_service',
    service: 'qdrant',
    runtime: 'embedded',
    identity: VECTOR_ID,
    specHash: 'string',
    spec: { restart: 'always', healthcheck: { path: '/readyz', intervalMs: 2000, timeoutMs: 1000, retries: 3, startPeriodMs: 0 } },
  });
  const agents = await call(t, 'GET', '/api/agents', { token });
  assert.equal(agents.json.length, 1);
  assert.equal(agents.json[0].name, 'host-a');
  assert.equal(agents.json[0].version, '0.1.0');
  assert.deepEqual(agents.json[0].host, { hostname: 'host-a', platform: 'linux', cpus: 2, memoryBytes: 4 * 1024 ** 3 });
  assert.ok(Math.abs(Date.parse(agents.json[0].lastHeartbeatAt) - Date.now()) < 5000);
  const instances = await call(t, 'GET', '/api/instances', { token });
  assert.equal(instances.json[0].agent, 'host-a');
  assert.equal(instances.json[0].state, 'pending');
});

test('a second agent gets nothing (assignment is stable) and cannot sync under another name', async () => {
  const b = await call(t, 'POST', '/api/agent/sync', { identity: agentB, body: syncBody('host-b') });
  assert.equal(b.status, 200);
  assert.deepEqual(b.json.instances, []);
  const a = await call(t, 'POST', '/api/agent/sync', { identity: agentA, body: syncBody('host-a') });
  assert.equal(a.json.instances.length, 1);
  const spoof = await call(t, 'POST', '/api/agent/sync', { identity: agentB, body: syncBody('host-a') });
  assert.equal(spoof.status, 403);
  assert.match(spoof.json.detail, /names agent "host-a" but the client certificate is agent "host-b"/);
});

test('a malformed sync is a 400 naming the field', async () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ agent: { name: 'host-a' } }, /agent\.version|instances/],
    [syncBody('host-a', [{ id: INSTANCE, state: 'dancing', restarts: 0 }]), /instances\.0\.state/],
    [syncBody('host-a', [{ id: INSTANCE, state: 'running', restarts: 0, url: 'http://127.0.0.1:1' }]), /https/],
    [syncBody('host-a', [], { advertiseAddress: 'not an ip' }), /advertiseAddress/],
  ];
  for (const [body, detail] of cases) {
    const res = await call(t, 'POST', '/api/agent/sync', { identity: agentA, body });
    assert.equal(res.status, 400, res.text);
    assert.match(res.json.detail, detail);
  }
});

test('/api/discovery is refused for a gateway identity and anonymous clients', async () => {
  const gw = await call(t, 'GET', '/api/discovery', { identity: gateway });
  assert.equal(gw.status, 403);
  assert.match(gw.json.detail, /spiffe:\/\/phoenix\.test\/router\/\*/);
  assert.equal((await call(t, 'GET', '/api/discovery')).status, 403);
  assert.equal((await call(t, 'GET', '/api/discovery', { identity: agentA })).status, 403);
});

test('/api/discovery lists a backend once the agent reports it running, and drops it when the agent goes silent', async () => {
  const empty = await call(t, 'GET', '/api/discovery', { identity: router });
  assert.equal(empty.status, 200, empty.text);
  assert.deepEqual(empty.json, {
    services: [{ name: 'qdrant', stack: 'qdrant_service', hosts: ['qdrant'], default: true, healthCheck: { path: '/readyz', intervalMs: 2000, timeoutMs: 1000 }, backends: [], external: [] }],
  });

  const startedAt = new Date(Date.now() - 1000).toISOString();
  const running = { id: INSTANCE, state: 'running', pid: 4242, url: 'https://127.0.0.1:45678', restarts: 0, startedAt };
  // The agent states a fast sync interval, so three missed syncs take well under a second.
  const sync = await call(t, 'POST', '/api/agent/sync', { identity: agentA, body: syncBody('host-a', [running], { syncIntervalMs: 200 }) });
  assert.equal(sync.status, 200);

  const feed = await call(t, 'GET', '/api/discovery', { identity: router });
  assert.deepEqual(feed.json.services[0].backends, [{ id: INSTANCE, url: 'https://127.0.0.1:45678', identity: VECTOR_ID }]);

  const instances = await call(t, 'GET', '/api/instances', { token });
  const view = instances.json.find((i: { id: string }) => i.id === INSTANCE);
  assert.deepEqual({ ...view, lastReportAt: typeof view.lastReportAt }, {
    id: INSTANCE,
    stack: 'qdrant_service',
    service: 'qdrant',
    runtime: 'embedded',
    agent: 'host-a',
    state: 'running',
    health: 'healthy',
    healthDetail: '',
    pid: 4242,
    url: 'https://127.0.0.1:45678',
    identity: VECTOR_ID,
    restarts: 0,
    startedAt,
    lastReportAt: 'string',
    version: 1,
    upToDate: true,
    routed: true,
    draining: false,
    retiring: false,
    desired: true,
    unmanaged: false,
    lastExit: null,
  });

  const status = await call(t, 'GET', '/api/status', { token });
  const roles = Object.fromEntries(status.json.roles.map((r: { role: string; name: string; healthy: boolean }) => [`${r.role}/${r.name}`, r.healthy]));
  assert.equal(roles['hub/hub1'], true);
  assert.equal(roles['agent/host-a'], true);
  assert.equal(roles['router/r1'], true, 'a router that polls discovery shows as healthy');
  assert.equal(status.json.instances[0].state, 'running');
  assert.equal(status.json.stacks[0].name, 'qdrant_service');

  // No more syncs from host-a: after three missed ones it is unhealthy, with a reason, and its replica leaves discovery.
  await eventually(async () => {
    const s = await call(t, 'GET', '/api/status', { token });
    const agent = s.json.roles.find((r: { role: string; name: string }) => r.role === 'agent' && r.name === 'host-a');
    assert.equal(agent.healthy, false);
    assert.match(agent.detail, /missed \d+ syncs/);
  }, 5000);
  const stale = await call(t, 'GET', '/api/discovery', { identity: router });
  assert.deepEqual(stale.json.services[0].backends, []);
  const unknown = await call(t, 'GET', '/api/instances', { token });
  assert.equal(unknown.json.find((i: { id: string }) => i.id === INSTANCE).state, 'unknown');

  // It syncs again: back in discovery.
  await call(t, 'POST', '/api/agent/sync', { identity: agentA, body: syncBody('host-a', [running]) });
  assert.equal((await call(t, 'GET', '/api/discovery', { identity: router })).json.services[0].backends.length, 1);
});

test('the token endpoint returns a one-time CA token for the assigned instance, with the specified SANs', async () => {
  const res = await call(t, 'POST', '/api/agent/token', { identity: agentA, body: { instance: INSTANCE } });
  assert.equal(res.status, 200, res.text);
  const jwt = res.json.token as string;
  const key = await importJWK(t.provisioner.publicJwk, 'ES256');
  const { payload } = await jwtVerify(jwt, key, { issuer: t.provisioner.name, audience: `${CA_URL}/1.0/sign`, subject: VECTOR_ID });
  assert.deepEqual(payload['sans'], [VECTOR_ID, 'localhost', '127.0.0.1']);
  assert.equal(typeof payload.jti, 'string');
  assert.ok((payload.exp as number) - Date.now() / 1000 <= 300);
  assert.equal(decodeProtectedHeader(jwt).kid, t.provisioner.kid);
  // A second token is a different one-time token.
  const again = await call(t, 'POST', '/api/agent/token', { identity: agentA, body: { instance: INSTANCE } });
  assert.notEqual(again.json.token, jwt);
});

test('the token endpoint refuses an instance of another agent, an unknown instance, and non-agents', async () => {
  const other = await call(t, 'POST', '/api/agent/token', { identity: agentB, body: { instance: INSTANCE } });
  assert.equal(other.status, 403);
  assert.match(other.json.detail, /not assigned to agent "host-b"/);
  const unknown = await call(t, 'POST', '/api/agent/token', { identity: agentA, body: { instance: 'qdrant_service-qdrant-9' } });
  assert.equal(unknown.status, 403);
  assert.equal((await call(t, 'POST', '/api/agent/token', { identity: router, body: { instance: INSTANCE } })).status, 403);
  assert.equal((await call(t, 'POST', '/api/agent/token', { token, body: { instance: INSTANCE } })).status, 403);
  const bad = await call(t, 'POST', '/api/agent/token', { identity: agentA, body: { instance: '../etc/passwd' } });
  assert.equal(bad.status, 400);
});

test('a replica the stacks no longer ask for stays listed while its agent still runs it, but is not routed', async () => {
  const stray = { id: 'old_stack-svc-1', state: 'running', pid: 77, url: 'https://127.0.0.1:40001', restarts: 0 };
  const running = { id: INSTANCE, state: 'running', pid: 4242, url: 'https://127.0.0.1:45678', restarts: 0 };
  await call(t, 'POST', '/api/agent/sync', { identity: agentA, body: syncBody('host-a', [running, stray]) });
  const instances = await call(t, 'GET', '/api/instances', { token });
  const listed = instances.json.find((i: { id: string }) => i.id === 'old_stack-svc-1');
  assert.equal(listed.stack, 'old_stack');
  assert.equal(listed.service, 'svc');
  assert.equal(listed.agent, 'host-a');
  const feed = await call(t, 'GET', '/api/discovery', { identity: router });
  assert.deepEqual(
    feed.json.services.flatMap((s: { backends: Array<{ id: string }> }) => s.backends.map((b) => b.id)),
    [INSTANCE],
  );
  // Once the agent stops reporting it, it is gone.
  await call(t, 'POST', '/api/agent/sync', { identity: agentA, body: syncBody('host-a', [running]) });
  assert.equal((await call(t, 'GET', '/api/instances', { token })).json.some((i: { id: string }) => i.id === 'old_stack-svc-1'), false);
});
