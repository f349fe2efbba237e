/**
 * The walking skeleton end to end: `phoenix up` in a fresh PHOENIX_HOME, then what users and
 * attackers see — the official client through the gateway, API keys, identity checks on every hop,
 * a replica killed with SIGKILL, and Ctrl-C leaving nothing behind.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadProvisionerKey, mintToken, signCertificate } from '../../../src/core/ca-client/index.js';
import { createCsrPem, generatePrivateKeyPem } from '../../../src/core/tls/keys.js';
import { eventually } from '../../helpers/eventually.js';
import { hubInstances, hubToken, PHOENIX_BIN, removeHome, startPlatform, viaGateway, type Platform } from '../../helpers/platform.js';

const TD = 'phoenix.internal';

/** A certificate for any identity, obtained from the platform's own CA with its provisioner key. */
async function certificateFor(p: Platform, role: string, name: string): Promise<{ key: string; cert: string }> {
  const caUrl = (/ca\s+(https:\/\/\S+)/.exec(p.output()) as RegExpExecArray)[1] as string;
  const uri = `spiffe://${TD}/${role}/${name}`;
  const key = generatePrivateKeyPem();
  const token = await mintToken(loadProvisionerKey(join(p.home, 'ca', 'secrets', 'provisioner.json')), { subject: uri, sans: [uri], caUrl });
  const signed = await signCertificate({ url: caUrl, rootPem: p.rootPem }, await createCsrPem(key, { commonName: uri, uris: [uri] }), token);
  return { key, cert: signed.certChain.join('') };
}

/** GET over TLS with an optional client certificate; resolves the status or rejects if refused. */
function mtlsGet(url: string, rootPem: string, cred?: { key: string; cert: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { ca: rootPem, ...(cred ?? {}), agent: false, checkServerIdentity: () => undefined }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

describe('phoenix up: the platform on one host', () => {
  let p: Platform;
  let token: string;

  before(async () => {
    p = await startPlatform();
    token = await hubToken(p);
  });

  after(async () => {
    await p?.stop();
    removeHome(p);
  });

  test('the official Qdrant client works through the gateway: exact top-10 with and without filters, scroll, count', () => {
    const scenario = fileURLToPath(new URL('./client-scenario.js', import.meta.url));
    const run = spawnSync(process.execPath, [scenario], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: join(p.home, 'ca', 'root_ca.crt'), GATEWAY_URL: p.gatewayUrl, PHOENIX_API_KEY: p.apiKey },
      encoding: 'utf8',
      timeout: 180_000,
    });
    assert.equal(run.status, 0, `client scenario failed:\n${run.stdout}\n${run.stderr}`);
    const summary = JSON.parse(run.stdout.trim().split('\n').pop() as string) as { ok: boolean; exactQueries: number };
    assert.equal(summary.ok, true);
    assert.ok(summary.exactQueries >= 60);
  });

  test('without an API key or with a wrong one the gateway answers 401/403 and nothing reaches the router', async () => {
    const id = `unauth-${Date.now()}`;
    const none = await viaGateway(p, 'GET', '/collections', undefined, { 'api-key': '', 'x-request-id': `${id}-none` });
    assert.equal(none.status, 401);
    const wrong = await viaGateway(p, 'GET', '/collections', undefined, { 'api-key': 'wrong-key', 'x-request-id': `${id}-wrong` });
    assert.equal(wrong.status, 403);
    const good = await viaGateway(p, 'GET', '/collections', undefined, { 'x-request-id': `${id}-good` });
    assert.equal(good.status, 200);
    await eventually(() => assert.match(readFileSync(join(p.home, 'logs', 'router.log'), 'utf8'), new RegExp(`${id}-good`)));
    const gatewayLog = readFileSync(join(p.home, 'logs', 'gateway.log'), 'utf8');
    const routerLog = readFileSync(join(p.home, 'logs', 'router.log'), 'utf8');
    assert.match(gatewayLog, new RegExp(`${id}-none`));
    assert.match(gatewayLog, new RegExp(`${id}-wrong`));
    assert.doesNotMatch(routerLog, new RegExp(`${id}-none|${id}-wrong`));
  });

  test('the router admits only gateway identities; a replica refuses the gateway', async () => {
    const routerUrl = (/router\s+(https:\/\/\S+)/.exec(p.output()) as RegExpExecArray)[1] as string;
    await assert.rejects(mtlsGet(`${routerUrl}/collections`, p.rootPem), 'no client certificate');
    await assert.rejects(mtlsGet(`${routerUrl}/collections`, p.rootPem, await certificateFor(p, 'vector', 'intruder')), 'vector identity');
    await assert.rejects(mtlsGet(`${routerUrl}/collections`, p.rootPem, await certificateFor(p, 'agent', 'intruder')), 'agent identity');
    const gatewayCred = { key: readFileSync(join(p.home, 'gateway', 'tls', 'gateway.key'), 'utf8'), cert: readFileSync(join(p.home, 'gateway', 'tls', 'gateway.crt'), 'utf8') };
    assert.equal(await mtlsGet(`${routerUrl}/readyz`, p.rootPem, gatewayCred), 200, 'the gateway identity is admitted');
    const [replica] = await hubInstances(p, token);
    assert.ok(replica?.url, 'the hub lists the replica');
    await assert.rejects(mtlsGet(`${replica.url}/readyz`, p.rootPem, gatewayCred), 'the replica refuses the gateway');
    assert.equal(await mtlsGet(`${replica.url}/readyz`, p.rootPem, await certificateFor(p, 'router', 'other-router')), 200, 'a router identity is admitted by the replica');
  });

  test('kill -9 of the replica: 503 at once while down, restarted by the agent, acknowledged writes kept', async () => {
    await viaGateway(p, 'PUT', '/collections/durable', { vectors: { size: 2, distance: 'Dot' } });
    const write = await viaGateway(p, 'PUT', '/collections/durable/points?wait=true', { points: [{ id: 7, vector: [1, 2], payload: { kept: true } }] });
    assert.equal(write.status, 200);
    assert.equal((write.json?.result as { status: string }).status, 'completed');
    const [before] = await hubInstances(p, token);
    assert.ok(before?.pid);
    process.kill(before.pid, 'SIGKILL');
    const down = await viaGateway(p, 'POST', '/collections/durable/points', { ids: [7] });
    assert.equal(down.status, 503, `while down: ${down.status} ${down.text}`);
    assert.ok(down.ms < 2000, `503 took ${down.ms} ms`);
    const after = await eventually(async () => {
      const res = await viaGateway(p, 'POST', '/collections/durable/points', { ids: [7], with_payload: true });
      assert.equal(res.status, 200, res.text);
      return res;
    }, 45_000, 250);
    assert.deepEqual((after.json?.result as Array<{ id: number; payload: unknown }>).map((r) => [r.id, r.payload]), [[7, { kept: true }]]);
    const [now] = await hubInstances(p, token);
    assert.notEqual(now?.pid, before.pid);
    assert.ok((now?.restarts ?? 0) >= 1);
  });

  test('phoenix status exits 0 while everything is healthy', () => {
    const run = spawnSync(process.execPath, [PHOENIX_BIN, 'status'], {
      env: { ...process.env, PHOENIX_HOME: p.home },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /Phoenix is healthy/);
  });

  test('Ctrl-C stops every role and replica', async () => {
    const state = JSON.parse(readFileSync(join(p.home, 'run', 'state.json'), 'utf8')) as { roles: Record<string, { pid: number }> };
    const [replica] = await hubInstances(p, token);
    const pids = [...Object.values(state.roles).map((r) => r.pid), replica?.pid].filter((x): x is number => typeof x === 'number');
    assert.ok(pids.length >= 6);
    const code = await p.stop();
    assert.equal(code, 0);
    const alive = pids.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    assert.deepEqual(alive, [], 'no process left behind');
    assert.deepEqual(readdirSync(join(p.home, 'run')).filter((f) => f === 'state.json'), []);
    const status = spawnSync(process.execPath, [PHOENIX_BIN, 'status'], { env: { ...process.env, PHOENIX_HOME: p.home }, encoding: 'utf8', timeout: 30_000 });
    assert.equal(status.status, 1, 'phoenix status fails once the platform is stopped');
    assert.match(status.stdout, /not running/);
  });
});
