/**
 * Debian's nginx in the gateway role: `phoenix render nginx` for a running `phoenix up` passes
 * `nginx -t`, and the official Qdrant client's create / upsert / query scenario succeeds through
 * nginx → router → replica (mTLS with the gateway's CA-issued certificate, proxy_ssl_verify on).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { PHOENIX_BIN, removeHome, startPlatform, type Platform } from '../../helpers/platform.js';
import { eventually } from '../../helpers/eventually.js';
import { freePort } from '../../../src/core/free-port.js';

let p: Platform;
let nginx: ChildProcess | undefined;
let url: string;
let conf: string;
let prefix: string;

before(async () => {
  p = await startPlatform();
  const port = await freePort();
  const rendered = spawnSync(process.execPath, [PHOENIX_BIN, 'render', 'nginx', '--listen', String(port), '--home', p.home, '--rate', '500', '--burst', '500'], { encoding: 'utf8', env: { ...process.env, PHOENIX_API_KEY: '' } });
  assert.equal(rendered.status, 0, rendered.stderr);
  prefix = join(p.home, 'nginx');
  mkdirSync(prefix, { recursive: true });
  conf = join(p.home, 'nginx.conf');
  writeFileSync(conf, rendered.stdout, { mode: 0o600 });
  url = `https://localhost:${port}`;
});

after(async () => {
  if (nginx && nginx.exitCode === null) {
    const exited = new Promise((r) => nginx?.once('exit', r));
    nginx.kill('SIGQUIT');
    await exited;
  }
  await p?.stop();
  removeHome(p);
});

test('the rendered configuration passes nginx -t', () => {
  const text = readFileSync(conf, 'utf8');
  for (const needle of ['proxy_ssl_verify on;', 'proxy_ssl_server_name on;', 'proxy_ssl_certificate ', 'keepalive 64;', 'client_max_body_size 32m;', 'limit_req zone=']) assert.ok(text.includes(needle), `config has ${needle}`);
  assert.ok(text.includes(join(p.home, 'gateway', 'tls', 'gateway.crt')), 'it uses the CA-issued gateway certificate');
  const check = spawnSync('nginx', ['-t', '-p', prefix, '-c', conf], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stderr);
  assert.match(check.stderr, /test is successful/);
});

test('the official Qdrant client works through nginx → router → replica', async () => {
  nginx = spawn('nginx', ['-p', prefix, '-c', conf, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  nginx.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const port = Number(new URL(url).port);
  await eventually(
    () =>
      new Promise<void>((resolve, reject) => {
        const s = connect(port, '127.0.0.1', () => {
          s.destroy();
          resolve();
        });
        s.on('error', reject);
      }),
    10_000,
  ).catch((err: unknown) => {
    throw new Error(`nginx did not start: ${stderr} ${(err as Error).message}`);
  });

  const scenario = fileURLToPath(new URL('../platform/client-scenario.js', import.meta.url));
  const run = spawnSync(process.execPath, [scenario], {
    env: { ...process.env, NODE_EXTRA_CA_CERTS: join(p.home, 'ca', 'root_ca.crt'), GATEWAY_URL: url, PHOENIX_API_KEY: p.apiKey },
    encoding: 'utf8',
    timeout: 180_000,
  });
  assert.equal(run.status, 0, `client scenario through nginx failed:\n${run.stdout}\n${run.stderr}\n${readFileSync(join(prefix, 'error.log'), 'utf8').slice(-2000)}`);
  const summary = JSON.parse(run.stdout.trim().split('\n').pop() as string) as { ok: boolean; exactQueries: number };
  assert.equal(summary.ok, true);
});

test('nginx checks keys like the gateway and answers limits in Qdrant’s words', async () => {
  const send = async (path: string, init: { method?: 'GET' | 'PUT'; headers?: Record<string, string>; body?: string } = {}) => {
    const res = await request(`${url}${path}`, { dispatcher: p.agent, method: init.method ?? 'GET', headers: init.headers ?? {}, body: init.body ?? null });
    return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
  };
  const none = await send('/collections');
  assert.equal(none.status, 401);
  assert.equal(none.text, 'Must provide an API key or an Authorization bearer token');
  assert.equal((await send('/collections', { headers: { 'api-key': 'wrong-key-000000000000' } })).status, 403);
  const ok = await send('/collections', { headers: { authorization: `Bearer ${p.apiKey}` } });
  assert.equal(ok.status, 200);
  assert.equal(ok.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains');
  assert.equal((await send('/readyz')).status, 200, 'readiness without a key, from the replica');
  const big = await send('/collections/x/points', { method: 'PUT', headers: { 'api-key': p.apiKey, 'content-type': 'application/json' }, body: 'x'.repeat(33 * 1024 * 1024) });
  assert.equal(big.status, 413);
  assert.match(big.text, /"error":"Payload error: request body is larger than allowed/);
  // The router saw nginx's requests: its access log has them, with nginx's request ids.
  const routerLog = readFileSync(join(p.home, 'logs', 'router.log'), 'utf8');
  assert.match(routerLog, /"path":"\/collections"/);
});
