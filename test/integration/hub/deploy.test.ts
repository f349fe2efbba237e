import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import type { TlsIdentity } from '../../../src/core/tls/identity.js';
import { call, closeDispatchers, eventually, login } from './support.js';
import { ADMIN, SERVICE_BIN, serviceStack, startControlPlane, type ControlPlane } from './control-plane.js';

/**
 * Deploy = reconcile, with a real agent running `process` instances (an HTTPS fixture service) and
 * the real CA issuing their certificates: rolling updates gated on health, automatic rollback of a
 * failing update while the service keeps being served, manual rollback, history and diff, scale,
 * webhooks, live logs, metrics, and adoption of an instance found on a host.
 */
let cp: ControlPlane;
let admin: string;
let router: TlsIdentity;
let client: Agent;
before(async () => {
  cp = await startControlPlane();
  admin = await login(cp.target, ADMIN);
  router = await cp.identity('router', 'r1');
  client = new Agent({ connect: { ca: cp.rootPem, key: router.current.keyPem, cert: router.current.chainPem } });
  await cp.startAgent('host-a');
});
after(async () => {
  await client.close();
  await cp.close();
  await closeDispatchers();
});

interface Instance {
  id: string;
  state: string;
  health: string;
  pid: number | null;
  url: string | null;
  version: number | null;
  upToDate: boolean;
  routed: boolean;
  desired: boolean;
  unmanaged: boolean;
  agent: string | null;
}

const yaml = (text: string) => ({ raw: { contentType: 'application/yaml', text } });
const instances = async (): Promise<Instance[]> => (await call(cp.target, 'GET', '/api/instances', { token: admin })).json;
const web = async () => (await instances()).filter((i) => i.id.startsWith('web-'));
async function answer(url: string, path = '/'): Promise<{ status: number; json: { instance: string; version: string; pid: number } }> {
  const res = await request(`${url}${path}`, { dispatcher: client });
  return { status: res.statusCode, json: (await res.body.json()) as { instance: string; version: string; pid: number } };
}
async function feed(): Promise<Array<{ id: string; url: string; identity: string }>> {
  const res = await call(cp.target, 'GET', '/api/discovery', { identity: router });
  return res.json.services.find((s: { stack: string }) => s.stack === 'web')?.backends ?? [];
}
async function settled(expect: { version: string; replicas: number }): Promise<Instance[]> {
  return eventually(async () => {
    const list = (await web()).filter((i) => i.desired);
    assert.equal(list.length, expect.replicas, JSON.stringify(list));
    for (const i of list) {
      assert.equal(i.state, 'running', JSON.stringify(i));
      assert.equal(i.health, 'healthy');
      assert.ok(i.upToDate && i.routed, JSON.stringify(i));
      assert.equal((await answer(i.url as string)).json.version, expect.version);
    }
    assert.equal((await feed()).length, expect.replicas);
    return list;
  }, 30_000, 200);
}
async function rollouts(): Promise<Array<{ id: number; state: string; kind: string; detail: string; fromVersion: number; toVersion: number }>> {
  return (await call(cp.target, 'GET', '/api/stacks/web/rollouts', { token: admin })).json;
}
/** Watches the routers' feed until stopped; records the smallest number of backends seen. */
function watchFeed(): { stop: () => Promise<number> } {
  let min = Infinity;
  let running = true;
  const loop = (async () => {
    while (running) {
      min = Math.min(min, (await feed()).length);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return min;
    },
  };
}

test('a process service deploys: both instances run with certificates from the CA, report healthy and enter the routers’ feed', async () => {
  const res = await call(cp.target, 'PUT', '/api/stacks/web', { token: admin, ...yaml(serviceStack()) });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.version, 1);
  assert.equal(res.json.rollout, null, 'new instances start at once, no rolling update');
  const list = await settled({ version: '1', replicas: 2 });
  const backends = await feed();
  assert.deepEqual(backends.map((b) => b.identity).sort(), list.map((i) => `spiffe://phoenix.test/vector/${i.id}`).sort());
  assert.deepEqual(list.map((i) => i.agent), ['host-a', 'host-a']);
});

test('a rolling update replaces one instance at a time, each only after the one before is healthy; the feed is never empty', async () => {
  const before = await web();
  const watch = watchFeed();
  const res = await call(cp.target, 'PUT', '/api/stacks/web', { token: admin, ...yaml(serviceStack({ env: { VERSION: '2' } })) });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.version, 2);
  assert.equal(res.json.rollout.kind, 'update');
  assert.deepEqual(res.json.rollout.pending.length + res.json.rollout.current.length, 2);
  const done = await eventually(async () => {
    const [r] = await rollouts();
    assert.equal(r?.state, 'succeeded', JSON.stringify(r));
    return r;
  }, 30_000, 200);
  assert.equal(done.toVersion, 2);
  const after = await settled({ version: '2', replicas: 2 });
  assert.ok(await watch.stop() >= 1, 'at least one instance served throughout');
  for (const i of after) assert.notEqual(i.pid, before.find((b) => b.id === i.id)?.pid, 'every instance was restarted');
});

test('a failing update rolls back by itself: the bad instance is replaced again, the other is never touched, and the service keeps being served', async () => {
  const before = await web();
  const second = before.find((i) => i.id === 'web-echo-2') as Instance;
  const watch = watchFeed();
  const res = await call(cp.target, 'PUT', '/api/stacks/web', { token: admin, ...yaml(serviceStack({ env: { VERSION: '3', FAIL_READY: '1' }, monitor: '3s' })) });
  assert.equal(res.status, 200);
  assert.equal(res.json.version, 3);
  const failed = await eventually(async () => {
    const r = (await rollouts()).find((x) => x.toVersion === 3);
    assert.equal(r?.state, 'rolled_back', JSON.stringify(r));
    return r;
  }, 30_000, 200);
  assert.match(failed.detail, /instance web-echo-1 did not become healthy within 3 s: .*rolled back to version 2/);
  const latest = (await call(cp.target, 'GET', '/api/stacks/web', { token: admin })).json;
  assert.equal(latest.version, 4, 'the rollback is stored as a new version');
  assert.equal(latest.author, 'hub');
  assert.match(latest.note, /^automatic rollback of version 3 to version 2: instance web-echo-1 did not become healthy/);
  const history = (await call(cp.target, 'GET', '/api/stacks/web/versions', { token: admin })).json;
  assert.deepEqual(history.map((v: { version: number }) => v.version), [4, 3, 2, 1]);
  const after = await settled({ version: '2', replicas: 2 });
  assert.equal(after.find((i) => i.id === 'web-echo-2')?.pid, second.pid, 'the second instance was never replaced');
  assert.ok(await watch.stop() >= 1, 'the service stayed in the feed throughout');
  const audit = (await call(cp.target, 'GET', '/api/audit?action=stack.rollback.automatic', { token: admin })).json;
  assert.equal(audit[0].actor, 'hub');
  assert.equal(audit[0].detail.failedVersion, 3);
});

test('manual rollback to any version, with a line diff between versions', async () => {
  const diff = await call(cp.target, 'GET', '/api/stacks/web/diff?from=1&to=2', { token: admin });
  assert.equal(diff.status, 200);
  const changed = diff.json.lines.filter((l: { op: string }) => l.op !== ' ');
  assert.deepEqual(
    changed.map((l: { op: string; text: string }) => `${l.op}${l.text.trim()}`),
    ['-VERSION: "1"', '+VERSION: "2"'],
  );
  assert.equal(changed[0].oldLine, changed[1].newLine);
  const res = await call(cp.target, 'POST', '/api/stacks/web/rollback', { token: admin, body: { version: 1 } });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.version, 5);
  assert.equal(res.json.note, 'rollback to version 1');
  assert.equal(res.json.author, 'admin');
  assert.equal(res.json.rollout.kind, 'rollback');
  await settled({ version: '1', replicas: 2 });
  const nothing = await call(cp.target, 'POST', '/api/stacks/web/rollback', { token: admin, body: { version: 1 } });
  assert.equal(nothing.status, 409);
  const missing = await call(cp.target, 'POST', '/api/stacks/web/rollback', { token: admin, body: { version: 99 } });
  assert.equal(missing.status, 404);
});

test('scale up starts new instances at once; scale down drains the extra ones out of the feed and stops them', async () => {
  const up = await call(cp.target, 'POST', '/api/stacks/web/scale', { token: admin, body: { service: 'echo', replicas: 3 } });
  assert.equal(up.status, 200, up.text);
  assert.equal(up.json.note, 'scale echo to 3');
  assert.match(up.json.yaml, /replicas: 3/);
  const three = await settled({ version: '1', replicas: 3 });
  const third = three.find((i) => i.id === 'web-echo-3') as Instance;
  const down = await call(cp.target, 'POST', '/api/stacks/web/scale', { token: admin, body: { service: 'echo', replicas: 1 } });
  assert.equal(down.status, 200);
  await settled({ version: '1', replicas: 1 });
  await eventually(async () => {
    assert.equal((await web()).length, 1, 'the extra instances are gone');
    assert.throws(() => process.kill(third.pid as number, 0), 'and their processes too');
  }, 15_000);
  const bad = await call(cp.target, 'POST', '/api/stacks/web/scale', { token: admin, body: { service: 'nope', replicas: 2 } });
  assert.equal(bad.status, 404);
  assert.match(bad.json.detail, /has no service "nope"; services: echo/);
  await call(cp.target, 'POST', '/api/stacks/web/scale', { token: admin, body: { service: 'echo', replicas: 2 } });
  await settled({ version: '1', replicas: 2 });
});

test('a webhook URL redeploys the stack (a rolling restart) without other credentials; a wrong secret is refused', async () => {
  const hook = await call(cp.target, 'POST', '/api/stacks/web/webhook', { token: admin });
  assert.equal(hook.status, 201);
  const url = new URL(hook.json.url);
  assert.equal(url.origin, cp.url.replace('localhost', url.hostname));
  const before = await web();
  const fire = await call(cp.target, 'POST', url.pathname);
  assert.equal(fire.status, 200, fire.text);
  assert.equal(fire.json.rollout.kind, 'redeploy');
  await eventually(async () => assert.equal((await rollouts())[0]?.state, 'succeeded'), 30_000, 200);
  const after = await settled({ version: '1', replicas: 2 });
  for (const i of after) assert.notEqual(i.pid, before.find((b) => b.id === i.id)?.pid);
  assert.equal((await call(cp.target, 'POST', `/api/webhooks/${'x'.repeat(32)}`)).status, 401);
  const audit = (await call(cp.target, 'GET', '/api/audit?action=stack.redeploy.webhook', { token: admin })).json;
  assert.ok(audit.some((e: { actor: string; outcome: string }) => e.actor === 'webhook of web' && e.outcome === 'ok'), JSON.stringify(audit));
  assert.ok(audit.some((e: { actor: string; outcome: string }) => e.actor === 'webhook (unknown secret)' && e.outcome === 'refused'));
  assert.ok(audit.every((e: { target: string }) => !String(e.target).includes(url.pathname.split('/').pop() as string)), 'the secret is not logged');
  assert.equal((await call(cp.target, 'DELETE', '/api/stacks/web/webhook', { token: admin })).status, 204);
  assert.equal((await call(cp.target, 'POST', url.pathname)).status, 401, 'a removed webhook no longer works');
});

test('live logs: the last lines from the agent, then new lines as the instance writes them (Server-Sent Events)', async () => {
  const [first] = (await web()).filter((i) => i.desired);
  assert.ok(first?.url);
  const last = await call(cp.target, 'GET', `/api/instances/${first.id}/logs?lines=20`, { token: admin });
  assert.equal(last.status, 200, last.text);
  assert.equal(last.json.agent, 'host-a');
  assert.ok(last.json.lines.some((l: string) => /fixture service web-echo-\d version 1 listening/.test(l)), JSON.stringify(last.json.lines));

  const res = await request(`${cp.url}/api/instances/${first.id}/logs?lines=0&follow=true`, { dispatcher: new Agent({ connect: { ca: cp.rootPem } }), headers: { authorization: `Bearer ${admin}` } });
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /^text\/event-stream/);
  let text = '';
  const seen = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no line within 10 s: ${text}`)), 10_000);
    res.body.on('data', (c: Buffer) => {
      text += c.toString();
      if (text.includes('request GET /hello-from-test')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  await new Promise((r) => setTimeout(r, 500));
  await answer(first.url, '/hello-from-test');
  await seen;
  assert.match(text, /^event: open\ndata: /);
  assert.match(text, /event: lines\ndata: \[.*request GET \/hello-from-test -> 200/);
  res.body.destroy();
  const missing = await call(cp.target, 'GET', '/api/instances/web-echo-99/logs', { token: admin });
  assert.equal(missing.status, 404);
});

test('metrics: requests/s and the 5xx error rate per service come from the instances’ /metrics through the agent', async () => {
  const list = (await web()).filter((i) => i.desired);
  for (let i = 0; i < 40; i++) await answer(list[i % list.length]?.url as string, i % 4 === 0 ? '/fail' : '/ok');
  const series = await eventually(async () => {
    const m = await call(cp.target, 'GET', '/api/metrics?window=2m', { token: admin });
    const s = m.json.services.find((x: { service: string }) => x.service === 'web/echo');
    const total = s?.points.reduce((n: number, p: { requests: number }) => n + p.requests, 0) ?? 0;
    assert.ok(total >= 40, `requests counted: ${total}`);
    return s.points as Array<{ requests: number; errorRate: number; rps: number; p99Ms: number | null }>;
  }, 20_000, 500);
  const busy = series.filter((p) => p.requests > 0);
  const errors = busy.reduce((n, p) => n + p.errorRate * p.requests, 0);
  assert.ok(Math.abs(errors - 10) < 0.5, `10 of 40 answers were 500s, counted ${errors}`);
  assert.ok(busy.every((p) => p.rps > 0 && p.p99Ms !== null && p.p99Ms <= 1000));
});

test('an instance found on a host is left running, shown as unmanaged, and can be adopted into a stack', async () => {
  // An instance an earlier installation left on host-b: its spec is on disk when the agent starts.
  const dir = join(cp.dir, 'agents', 'host-b', 'instances', 'lab-svc-1');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'spec.json'),
    JSON.stringify({
      id: 'lab-svc-1',
      stack: 'lab',
      service: 'svc',
      runtime: 'process',
      identity: 'spiffe://phoenix.test/vector/lab-svc-1',
      specHash: '00ff00ff00ff00ff',
      spec: { command: process.execPath, args: [SERVICE_BIN], env: { VERSION: 'found' }, restart: 'always', healthcheck: { path: '/readyz', intervalMs: 200, timeoutMs: 150, retries: 2, startPeriodMs: 0 } },
    }),
  );
  await cp.startAgent('host-b');
  const found = await eventually(async () => {
    const i = (await instances()).find((x) => x.id === 'lab-svc-1');
    assert.equal(i?.state, 'running', JSON.stringify(i));
    assert.equal(i.unmanaged, true);
    assert.equal(i.desired, false);
    return i;
  }, 30_000, 200);
  assert.equal(found.agent, 'host-b');
  assert.equal((await answer(found.url as string)).json.version, 'found');
  // It is not stopped while unmanaged, and it is not routed.
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal((await instances()).find((x) => x.id === 'lab-svc-1')?.pid, found.pid);
  const adopt = await call(cp.target, 'POST', '/api/instances/lab-svc-1/adopt', { token: admin });
  assert.equal(adopt.status, 200, adopt.text);
  assert.equal(adopt.json.name, 'lab');
  assert.equal(adopt.json.note, 'adopt lab-svc-1 from agent host-b');
  assert.match(adopt.json.yaml, /svc:\n\s+runtime: process\n\s+replicas: 1\n\s+command:/);
  const adopted = await eventually(async () => {
    const i = (await instances()).find((x) => x.id === 'lab-svc-1');
    assert.ok(i?.desired && !i.unmanaged && i.state === 'running' && i.routed, JSON.stringify(i));
    return i;
  }, 30_000, 200);
  assert.equal(adopted.agent, 'host-b', 'it stays on the host that has its data');
  assert.equal((await answer(adopted.url as string)).json.version, 'found');
  assert.equal((await call(cp.target, 'POST', '/api/instances/web-echo-1/adopt', { token: admin })).status, 404, 'a managed instance is not adoptable');
  assert.ok(existsSync(join(dir, 'spec.json')));
});
