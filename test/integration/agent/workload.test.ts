import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { call, closeDispatchers, eventually, login } from '../hub/support.js';
import { ADMIN, SERVICE_BIN, startControlPlane, type ControlPlane } from '../hub/control-plane.js';

/**
 * The agent's `process` runtime on a real host: resource limits applied through prlimit and nice,
 * restart policies, captured output and its rotation.
 */
let cp: ControlPlane;
let admin: string;
before(async () => {
  cp = await startControlPlane();
  admin = await login(cp.target, ADMIN);
  await cp.startAgent('host-a', { logs: { maxBytes: 2048, keep: 2, checkInterval: '200ms' } });
});
after(async () => {
  await cp.close();
  await closeDispatchers();
});

const stack = (services: string) => `name: lab\nservices:\n${services}`;
const service = (name: string, extra: string, env: Record<string, string> = {}) => `  ${name}:
    runtime: process
    command: ${JSON.stringify(process.execPath)}
    args: [${JSON.stringify(SERVICE_BIN)}]
    env: ${JSON.stringify(env)}
    healthcheck: { path: /readyz, interval: 200ms, timeout: 150ms, retries: 2 }
${extra}`;

interface Instance {
  id: string;
  state: string;
  pid: number | null;
  url: string | null;
  restarts: number;
  lastExit: { code: number | null; signal: string | null } | null;
}
const instance = async (id: string): Promise<Instance | undefined> => ((await call(cp.target, 'GET', '/api/instances', { token: admin })).json as Instance[]).find((i) => i.id === id);

test('limits: memory (address space), open files and processes through prlimit, priority through nice', async () => {
  const yaml = stack(service('limited', '    resources: { memory: 4Gi, files: 512, processes: 4096, nice: 7 }\n'));
  assert.equal((await call(cp.target, 'PUT', '/api/stacks/lab', { token: admin, raw: { contentType: 'application/yaml', text: yaml } })).status, 200);
  const i = await eventually(async () => {
    const v = await instance('lab-limited-1');
    assert.equal(v?.state, 'running', JSON.stringify(v));
    return v;
  }, 30_000, 200);
  const limits = readFileSync(`/proc/${i.pid}/limits`, 'utf8');
  assert.match(limits, /Max address space\s+4294967296\s+4294967296\s+bytes/);
  assert.match(limits, /Max open files\s+512\s+512\s+files/);
  assert.match(limits, /Max processes\s+4096\s+4096\s+processes/);
  const stat = readFileSync(`/proc/${i.pid}/stat`, 'utf8');
  const nice = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  assert.equal(nice, 7);
  assert.match(readFileSync(`/proc/${i.pid}/cmdline`, 'utf8'), /service\.js/, 'prlimit ran the command itself (same pid)');
});

test('restart policies: on-failure restarts a crashing command with backoff; never leaves it failed with its exit code', async () => {
  const yaml = stack(service('crashy', '    restart: on-failure\n', { CRASH: '1' }) + service('once', '    restart: never\n', { CRASH: '1' }));
  assert.equal((await call(cp.target, 'PUT', '/api/stacks/lab', { token: admin, raw: { contentType: 'application/yaml', text: yaml } })).status, 200);
  await eventually(async () => {
    const crashy = await instance('lab-crashy-1');
    assert.ok((crashy?.restarts ?? 0) >= 2, JSON.stringify(crashy));
    assert.equal(crashy?.lastExit?.code, 3);
    const once = await instance('lab-once-1');
    assert.equal(once?.state, 'failed', JSON.stringify(once));
    assert.equal(once?.restarts, 0);
    assert.equal(once?.lastExit?.code, 3);
  }, 30_000, 200);
  const logs = await call(cp.target, 'GET', '/api/instances/lab-crashy-1/logs?lines=50', { token: admin });
  assert.ok(logs.json.lines.some((l: string) => l.includes('CRASH=1: exiting at once')), 'the command’s own output is captured');
  assert.ok(logs.json.lines.some((l: string) => /\[phoenix-agent .*\] exited \(code 3\)/.test(l)), 'and the agent notes each exit in the same log');
});

test('instance output is captured and rotated by size, keeping the configured number of old files', async () => {
  const yaml = stack(service('chatty', ''));
  assert.equal((await call(cp.target, 'PUT', '/api/stacks/lab', { token: admin, raw: { contentType: 'application/yaml', text: yaml } })).status, 200);
  const i = await eventually(async () => {
    const v = await instance('lab-chatty-1');
    assert.equal(v?.state, 'running');
    return v;
  }, 30_000, 200);
  const router = await cp.identity('router', 'r1');
  const client = new Agent({ connect: { ca: cp.rootPem, key: router.current.keyPem, cert: router.current.chainPem } });
  const log = join(cp.dir, 'agents', 'host-a', 'logs', 'lab-chatty-1.log');
  try {
    await eventually(async () => {
      for (let n = 0; n < 40; n++) await (await request(`${i.url}/some/longish/path/to/fill/the/log/${n}`, { dispatcher: client })).body.dump();
      assert.ok(existsSync(`${log}.2`), 'rotated twice');
    }, 20_000, 300);
  } finally {
    await client.close();
  }
  assert.ok(!existsSync(`${log}.3`), 'only 2 old logs are kept');
  assert.match(readFileSync(`${log}.1`, 'utf8'), /request GET \/some\/longish\/path/);
});
