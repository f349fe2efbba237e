import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../../helpers/eventually.js';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { request } from 'undici';
import { hubToken, PHOENIX_BIN, REPO_ROOT, removeHome, startPlatform, viaGateway, type Platform } from '../../helpers/platform.js';
import { listCertificates } from '../../../src/pki/operator.js';
import { serviceStack } from './control-plane.js';

/**
 * The deploy/scale workflow from the CLI against a whole platform (`phoenix up`), with the traffic
 * going through the gateway: a failing rolling update rolls back by itself and the service answers
 * every request throughout; scale, history, rollback; a broken stack file is reported at its lines;
 * a host joins with `phoenix agent enroll`.
 */
interface Run {
  code: number | null;
  out: string;
  err: string;
}

describe('the hub from the CLI, through the gateway', { timeout: 300_000 }, () => {
  let p: Platform;
  let dir: string;
  const children: ChildProcess[] = [];

  const phoenix = (args: string[], stdin?: string): Promise<Run> =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, [PHOENIX_BIN, ...args], { env: { ...process.env, PHOENIX_HOME: p.home, PHOENIX_ADMIN_PASSWORD: '' }, stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      child.stdin.end(stdin ?? '');
      child.on('close', (code) => resolve({ code, out, err }));
    });
  /** A request through the gateway to the `echo` service, routed by `Host: echo` (TLS still names localhost). */
  const echo = (): Promise<{ status: number; text: string; json: unknown }> =>
    new Promise((resolve, reject) => {
      const url = new URL('/whoami', p.gatewayUrl);
      const req = httpsRequest(
        { host: url.hostname, port: url.port, path: url.pathname, method: 'GET', ca: p.rootPem, servername: 'localhost', agent: echoAgent, headers: { host: 'echo', 'api-key': p.apiKey } },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => {
            let json: unknown;
            try {
              json = JSON.parse(text);
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode ?? 0, text, json });
          });
        },
      );
      req.setTimeout(30_000, () => req.destroy(new Error('no answer within 30 s')));
      req.on('error', reject);
      req.end();
    });
  const echoAgent = new HttpsAgent({ keepAlive: true, maxSockets: 4 });

  before(async () => {
    p = await startPlatform();
    dir = mkdtempSync(join(tmpdir(), 'phoenix-cli-'));
  });
  after(async () => {
    for (const c of children) c.kill('SIGTERM');
    echoAgent.destroy();
    await p?.stop();
    removeHome(p);
    rmSync(dir, { recursive: true, force: true });
  });

  test('phoenix login keeps a session (0600) for the hub that phoenix up runs', async () => {
    const wrong = await phoenix(['login', '--password-stdin'], 'not-the-password\n');
    assert.equal(wrong.code, 1);
    assert.match(wrong.err, /401 HUB_LOGIN_FAILED wrong username or password/);
    const ok = await phoenix(['login', '--password-stdin'], `${p.adminPassword}\n`);
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, new RegExp(`Logged in to ${p.hubUrl} as admin \\(admin\\)`));
    assert.equal(statSync(join(p.home, 'cli', 'hub-login.json')).mode & 0o777, 0o600);
  });

  test('a broken stack file is refused with every problem at its line, and nothing is stored', async () => {
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, serviceStack({ replicas: 2 }).replace('replicas: 2', 'replicas: two').replace('    restart', '    restart'));
    const r = await phoenix(['stack', 'deploy', file]);
    assert.equal(r.code, 1);
    assert.match(r.err, new RegExp(`^${file}:5:15: services\\.echo\\.replicas: .*number`, 'm'));
    const ls = await phoenix(['stack', 'ls']);
    assert.doesNotMatch(ls.out, /^web /m);
  });

  test('phoenix stack deploy: a process service behind the gateway', async () => {
    const file = join(dir, 'web.yaml');
    writeFileSync(file, serviceStack({ replicas: 2, drain: '2500ms', monitor: '6s' }));
    const r = await phoenix(['stack', 'deploy', file, '--wait']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Stack web: version 1 stored and deployed\.\nNo instance had to be replaced\./);
    const seen = new Set<string>();
    await eventually(async () => {
      const res = await echo();
      assert.equal(res.status, 200, res.text);
      const body = res.json as unknown as { instance: string; version: string };
      assert.equal(body.version, '1');
      seen.add(body.instance);
      assert.equal(seen.size, 2, `both instances answer through the gateway: ${[...seen].join(', ')}`);
    }, 60_000, 100);
    const ls = await phoenix(['stack', 'ls']);
    assert.match(ls.out, /^web\s+1\s+echo=2 \(process\)/m);
    assert.match(ls.out, /^qdrant_service\s+1\s+qdrant=1 \(embedded\)/m);
  });

  test('a failing rolling update rolls back by itself while every request through the gateway is answered', async () => {
    const statuses: number[] = [];
    let running = true;
    const load = (async () => {
      while (running) {
        const res = await echo().catch((err: Error) => ({ status: 0, text: err.message }));
        statuses.push(res.status);
        if (res.status !== 200) console.error(`request through the gateway failed: ${res.status} ${res.text}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    const file = join(dir, 'web-bad.yaml');
    writeFileSync(file, serviceStack({ replicas: 2, drain: '2500ms', monitor: '6s', env: { VERSION: '2', FAIL_READY: '1' } }));
    const r = await phoenix(['stack', 'deploy', file, '--wait']);
    // Let traffic run on a moment after the rollback settles.
    await eventually(async () => {
      const res = await echo();
      assert.equal((res.json as unknown as { version: string }).version, '1');
    }, 30_000, 100);
    await new Promise((res) => setTimeout(res, 3000));
    running = false;
    await load;
    assert.equal(r.code, 1, 'the CLI reports the failed update');
    assert.match(r.out, /Stack web: version 2 stored and deployed\.\nRolling update #\d+ to version 2 started: 2 instance\(s\) to replace\.\nRolling update #\d+ rolled back: instance web-echo-1 did not become healthy within 6 s: .*rolled back to version 1/);
    assert.ok(statuses.length > 100, `requests sent: ${statuses.length}`);
    assert.deepEqual(statuses.filter((s) => s !== 200), [], `every one of ${statuses.length} requests through the gateway was answered`);
    const history = await phoenix(['stack', 'history', 'web']);
    assert.match(history.out, /^3\s+\S+\s+hub\s+automatic rollback of version 2 to version 1: instance web-echo-1 did not become healthy/m);
    assert.match(history.out, /rolling update #\d+ update v1 → v2: rolled_back/);
  });

  test('phoenix scale and phoenix stack rollback, waiting for the rolling update', async () => {
    const up = await phoenix(['scale', 'web/echo=3', '--wait']);
    assert.equal(up.code, 0, up.err);
    assert.match(up.out, /Stack web: echo scaled to 3 \(version 4\)\./);
    const seen = new Set<string>();
    await eventually(async () => {
      seen.add(((await echo()).json as unknown as { instance: string }).instance);
      assert.equal(seen.size, 3);
    }, 60_000, 50);
    const bad = await phoenix(['scale', 'web-echo=3']);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /is not STACK\/SERVICE=N/);
    const back = await phoenix(['stack', 'rollback', 'web', '--to', '1', '--wait']);
    assert.equal(back.code, 0, back.err);
    assert.match(back.out, /Stack web: rolled back to version 1, stored as version 5\./);
    await eventually(async () => {
      const list = await phoenix(['stack', 'ls']);
      assert.match(list.out, /^web\s+5\s+echo=2 \(process\)\s+-$/m);
    }, 30_000, 500);
  });

  test('phoenix agent enroll: a new host joins with a one-time token and the root fingerprint', async () => {
    const login = JSON.parse(readFileSync(join(p.home, 'cli', 'hub-login.json'), 'utf8')) as { token: string };
    const res = await fetchJson(p, 'POST', '/api/enrollment-tokens', login.token, { agentName: 'edge-cli' });
    const { token, fingerprint } = res as { token: string; fingerprint: string };
    const agentDir = join(dir, 'edge');
    const wrongFp = await phoenix(['agent', 'enroll', '--hub', p.hubUrl, '--token', token, '--fingerprint', 'ab'.repeat(32), '--name', 'edge-cli', '--dir', agentDir]);
    assert.equal(wrongFp.code, 1);
    assert.match(wrongFp.err, /has fingerprint [0-9a-f]{64}, not (ab){32}: refusing to enroll/);
    const ok = await phoenix(['agent', 'enroll', '--hub', p.hubUrl, '--token', token, '--fingerprint', fingerprint, '--name', 'edge-cli', '--dir', agentDir]);
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /Enrolled as spiffe:\/\/phoenix\.internal\/agent\/edge-cli/);
    const again = await phoenix(['agent', 'enroll', '--hub', p.hubUrl, '--token', token, '--fingerprint', fingerprint, '--name', 'edge-cli', '--dir', join(dir, 'edge2')]);
    assert.equal(again.code, 1);
    assert.match(again.err, /already used/);
    const agent = spawn(process.execPath, [PHOENIX_BIN, 'run', 'agent', '--config', join(agentDir, 'agent.json')], { stdio: 'ignore' });
    children.push(agent);
    await eventually(async () => {
      const agents = (await fetchJson(p, 'GET', '/api/agents', login.token)) as Array<{ name: string; healthy: boolean; host: { cpus: number } }>;
      const edge = agents.find((a) => a.name === 'edge-cli');
      assert.ok(edge?.healthy, JSON.stringify(edge));
      assert.ok(edge.host.cpus > 0);
    }, 30_000, 250);
    // The agent got its certificate from the CA for a token of the CA's `enroll` provisioner (agent identities only).
    const issued = (await listCertificates(join(p.home, 'ca'))).filter((c) => c.subject === 'spiffe://phoenix.internal/agent/edge-cli');
    assert.deepEqual(issued.map((c) => c.provisioner), ['enroll']);
  });

  test('the README’s Console workflow runs as written: login, deploy qdrant_service, scale it to 3, list, history, roll back', async () => {
    const script = readmeConsoleScript();
    assert.match(script, /^npx phoenix scale qdrant_service\/qdrant=3/m);
    // A fresh directory where `.phoenix` is this platform's home, as in a checkout after `npm start`;
    // `npx phoenix` is this checkout's bin/phoenix.js.
    const cwd = join(dir, 'readme');
    mkdirSync(cwd);
    symlinkSync(p.home, join(cwd, '.phoenix'));
    const env: Record<string, string | undefined> = { ...process.env, PHOENIX_BIN };
    delete env['PHOENIX_HOME'];
    delete env['PHOENIX_ADMIN_PASSWORD'];
    const run = await new Promise<Run>((resolve) => {
      const child = spawn('bash', ['-euo', 'pipefail', '-c', `npx() { [ "$1" = phoenix ] || exit 99; shift; node "$PHOENIX_BIN" "$@"; }\n${script}`], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      child.on('close', (code) => resolve({ code, out, err }));
    });
    assert.equal(run.code, 0, `${run.out}\n${run.err}`);
    assert.match(run.out, /Logged in to https:\/\/localhost:\d+ as admin \(admin\)/);
    assert.match(run.out, /^Stack qdrant_service: version 2 stored and deployed\.$/m);
    assert.match(run.out, /^Stack qdrant_service: qdrant scaled to 3 \(version 3\)\.$/m);
    assert.match(run.out, /^qdrant_service\s+3\s+qdrant=3 \(embedded\)/m);
    assert.match(run.out, /^Stack qdrant_service: rolled back to version 1, stored as version 4\.$/m);
    // What the hub stored: the versions the workflow made, and the service back at one replica that
    // answers through the gateway.
    const token = await hubToken(p);
    const versions = (await fetchJson(p, 'GET', '/api/stacks/qdrant_service/versions', token)) as Array<{ version: number; note: string | null }>;
    assert.deepEqual(versions.map((v) => v.version).sort((a, b) => a - b), [1, 2, 3, 4]);
    const current = (await fetchJson(p, 'GET', '/api/stacks/qdrant_service', token)) as { version: number; services: Array<{ replicas: number }> };
    assert.equal(current.version, 4);
    assert.equal(current.services[0]?.replicas, 1);
    await eventually(async () => assert.equal((await viaGateway(p, 'GET', '/collections')).status, 200), 60_000, 250);
  });
});

/** The shell block of README.md's "Console" section. */
function readmeConsoleScript(): string {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Console\n'));
  const m = /```sh\n([\s\S]*?)```/.exec(section);
  assert.ok(m, 'README.md has a shell block in its Console section');
  return m[1] as string;
}

async function fetchJson(p: Platform, method: 'GET' | 'POST', path: string, token: string, body?: unknown): Promise<unknown> {
  const res = await request(`${p.hubUrl}${path}`, {
    method,
    dispatcher: p.agent,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return res.body.json();
}
