import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { importJWK, jwtVerify } from 'jose';
import { CA_URL, call, closeDispatchers, eventually, login, startTestHub, tempDir, type TestHub } from '../hub/support.js';
import { agentConfigSchema } from '../../../src/agent/config.js';
import { startAgent } from '../../../src/agent/main.js';
import { validateConfig } from '../../../src/core/config.js';
import { silentLogger } from '../../../src/core/log.js';
import type { RoleHandle } from '../../../src/core/lifecycle.js';
import type { TlsIdentity } from '../../../src/core/tls/identity.js';
import { DEFAULT_STACK_YAML } from '../../../src/hub/stacks/default.js';

const INSTANCE = 'qdrant_service-qdrant-1';
const VECTOR_ID = `spiffe://phoenix.test/vector/${INSTANCE}`;
const REPLICA_BIN = fileURLToPath(new URL('./fixtures/replica.js', import.meta.url));

let t: TestHub;
let agent: RoleHandle;
let agentDir: string;
let token: string;
let router: TlsIdentity;
const probe = new Agent({ connect: { rejectUnauthorized: false } });

interface InstanceView {
  id: string;
  state: string;
  pid: number | null;
  url: string | null;
  restarts: number;
  agent: string | null;
  lastReportAt: string | null;
}

async function instance(): Promise<InstanceView | undefined> {
  const res = await call(t, 'GET', '/api/instances', { token });
  assert.equal(res.status, 200, res.text);
  return (res.json as InstanceView[]).find((i) => i.id === INSTANCE);
}

async function backends(): Promise<Array<{ id: string; url: string; identity: string }>> {
  const res = await call(t, 'GET', '/api/discovery', { identity: router });
  assert.equal(res.status, 200, res.text);
  return res.json.services[0].backends;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Pids of fixture replicas started for this test (found by their config path on the command line). */
function replicaPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(REPLICA_BIN) && cmdline.includes(agentDir)) pids.push(Number(entry));
    } catch {
      /* gone */
    }
  }
  return pids;
}

async function answers(url: string): Promise<{ pid: number; name: string }> {
  const res = await request(`${url}/readyz`, { dispatcher: probe });
  return (await res.body.json()) as { pid: number; name: string };
}

function starts(): Array<{ pid: number; token: string }> {
  const file = join(agentDir, 'instances', INSTANCE, 'data', 'starts.log');
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { pid: number; token: string });
}

before(async () => {
  t = await startTestHub();
  token = await login(t);
  router = await t.ca.identity('router', 'r1');
  agentDir = tempDir('agent');
  writeFileSync(join(agentDir, 'root.pem'), t.ca.rootPem);
  const config = validateConfig(
    agentConfigSchema,
    {
      name: 'host-a',
      trustDomain: 'phoenix.test',
      dataDir: agentDir,
      log: { level: 'silent' },
      hubUrl: t.url,
      ca: { url: CA_URL, rootFile: join(agentDir, 'root.pem') },
      syncInterval: '250ms',
      runtime: { phoenixBin: REPLICA_BIN, stopGrace: '3s', readyTimeout: '20s' },
    },
    'agent',
  );
  agent = await startAgent(config, { identity: await t.ca.identity('agent', 'host-a'), logger: silentLogger() });
});

after(async () => {
  await agent.close();
  await t.cleanup();
  await closeDispatchers();
  await probe.close();
  rmSync(agentDir, { recursive: true, force: true });
});

test('the agent starts the assigned replica: it shows running in /api/instances and /api/discovery', async () => {
  const view = await eventually(async () => {
    const v = await instance();
    assert.equal(v?.state, 'running', JSON.stringify(v));
    return v;
  }, 30_000);
  assert.equal(view.agent, 'host-a');
  assert.equal(view.restarts, 0);
  assert.ok(view.pid && alive(view.pid));
  assert.match(view.url ?? '', /^https:\/\/127\.0\.0\.1:\d+$/);
  const list = await eventually(async () => {
    const b = await backends();
    assert.equal(b.length, 1);
    return b;
  });
  assert.deepEqual(list, [{ id: INSTANCE, url: view.url, identity: VECTOR_ID }]);
  assert.equal((await answers(view.url as string)).pid, view.pid);

  const agents = await call(t, 'GET', '/api/agents', { token });
  assert.equal(agents.json[0].name, 'host-a');
  assert.equal(typeof agents.json[0].host.hostname, 'string');
  assert.ok(agents.json[0].host.cpus >= 1);
  assert.ok(agents.json[0].host.memoryBytes > 0);
});

test("the replica's config file is 0600 JSON as specified, with a token from the hub for its identity", async () => {
  const file = join(agentDir, 'instances', INSTANCE, 'config.json');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const config = JSON.parse(readFileSync(file, 'utf8'));
  assert.deepEqual(
    { ...config, identity: { ...config.identity, ca: { ...config.identity.ca, token: '…' } } },
    {
      name: INSTANCE,
      trustDomain: 'phoenix.test',
      dataDir: join(agentDir, 'instances', INSTANCE, 'data'),
      listen: { host: '127.0.0.1', port: 0 },
      identity: {
        ca: { url: CA_URL, rootFile: join(agentDir, 'root.pem'), token: '…' },
        dnsNames: ['localhost'],
        ipAddresses: ['127.0.0.1'],
        // The replica writes its key and chain here; the agent health-checks it and reads its /metrics as itself.
        files: { key: join(agentDir, 'instances', INSTANCE, 'tls', 'key.pem'), cert: join(agentDir, 'instances', INSTANCE, 'tls', 'cert.pem') },
      },
      log: { level: 'info' },
      // Embedded replicas wait for the hub's replication assignment, relayed by the agent.
      replication: { mode: 'managed' },
    },
  );
  const { payload } = await jwtVerify(config.identity.ca.token, await importJWK(t.provisioner.publicJwk, 'ES256'), { subject: VECTOR_ID, audience: `${CA_URL}/1.0/sign` });
  assert.deepEqual(payload['sans'], [VECTOR_ID, 'localhost', '127.0.0.1']);
  assert.ok(statSync(join(agentDir, 'logs', `${INSTANCE}.log`)).size > 0, 'the replica writes to its log file');
});

test('kill -9 of the replica: the agent restarts it (new pid, restarts 1, same data dir) and discovery shows the new url', async () => {
  const before = await instance();
  assert.ok(before?.pid && before.url);
  process.kill(before.pid, 'SIGKILL');
  const after = await eventually(async () => {
    const v = await instance();
    assert.equal(v?.state, 'running');
    assert.notEqual(v?.pid, before.pid);
    return v;
  }, 20_000);
  assert.equal(after?.restarts, 1);
  assert.ok(after?.pid && alive(after.pid));
  assert.notEqual(after?.url, before.url, 'a new start listens on a new port');
  await eventually(async () => assert.deepEqual((await backends()).map((b) => b.url), [after?.url]));
  assert.equal((await answers(after?.url as string)).pid, after?.pid);
  // Both starts used the same data directory, each with a fresh one-time token.
  const log = starts();
  assert.deepEqual(
    log.map((s) => s.pid),
    [before.pid, after?.pid],
  );
  assert.notEqual(log[0]?.token, log[1]?.token);
});

test('scaling the service to 0 stops the replica; back to 1 starts it again on the same data', async () => {
  const running = await instance();
  assert.ok(running?.pid);
  const zero = await call(t, 'PUT', '/api/stacks/qdrant_service', { token, raw: { contentType: 'application/yaml', text: DEFAULT_STACK_YAML.replace('replicas: 1', 'replicas: 0') } });
  assert.equal(zero.status, 200, zero.text);
  await eventually(async () => {
    assert.equal(alive(running.pid as number), false);
    assert.equal(await instance(), undefined);
    assert.deepEqual(await backends(), []);
  }, 15_000);
  const one = await call(t, 'PUT', '/api/stacks/qdrant_service', { token, raw: { contentType: 'application/yaml', text: DEFAULT_STACK_YAML } });
  assert.equal(one.status, 200);
  await eventually(async () => assert.equal((await backends()).length, 1), 20_000);
  assert.equal(starts().length, 3, 'the third start reuses the same data directory');
});

test('when the hub stops, the replica keeps running; when it is back, the agent reports again', async () => {
  const before = await eventually(async () => {
    const v = await instance();
    assert.equal(v?.state, 'running');
    return v;
  });
  await t.hub.close();
  await new Promise((r) => setTimeout(r, 1500)); // six sync intervals without a hub
  assert.ok(alive(before?.pid as number), 'the replica must survive the hub going away');
  assert.equal((await answers(before?.url as string)).pid, before?.pid);

  await t.restart({ samePort: true });
  const again = await eventually(async () => {
    const v = await instance();
    assert.equal(v?.state, 'running');
    assert.ok(Date.parse(v?.lastReportAt ?? '') > Date.now() - 2000);
    return v;
  }, 15_000);
  assert.equal(again?.pid, before?.pid, 'the same replica, not restarted');
  assert.equal(again?.restarts, before?.restarts);
});

test('agent close() stops every replica and leaves no child process', async () => {
  const v = await instance();
  assert.ok(v?.pid);
  assert.ok(replicaPids().length >= 1);
  await agent.close();
  await agent.close(); // twice is safe
  assert.equal(alive(v.pid), false);
  assert.deepEqual(replicaPids(), []);
});
