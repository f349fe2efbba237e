/**
 * Changes under load lose no request: configuration reloads from the watched file (weights,
 * backends, middlewares, routes) and certificate rotation of every hop (gateway, router, backends)
 * while clients keep sending reads and writes through the gateway.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from '../../../src/core/lifecycle.js';
import type { TlsIdentity } from '../../../src/core/tls/index.js';
import type { GatewayHandle } from '../../../src/gateway/main.js';
import type { RouterHandle } from '../../../src/router/main.js';
import { eventually } from '../../helpers/eventually.js';
import { API_KEY, call, load, ProxyLab, statusOf, type LabBackend } from './support.js';

let lab: ProxyLab;
let router: RouterHandle;
let gateway: GatewayHandle;
let routerId: TlsIdentity;
let gatewayId: TlsIdentity;
const backends: LabBackend[] = [];
const dir = mkdtempSync(join(tmpdir(), 'phoenix-reload-'));
const file = join(dir, 'dynamic.yaml');

function writeConfig(servers: Array<{ b: LabBackend; weight: number }>, extra = ''): void {
  const yaml = `routers:
  qdrant:
    rule: PathPrefix(\`/\`)
    service: qdrant
${extra}services:
  qdrant:
    strategy: wrr
    servers:
${servers.map((s) => `      - url: ${s.b.url}\n        identity: ${s.b.spiffe}\n        weight: ${s.weight}`).join('\n')}
`;
  writeFileSync(`${file}.tmp`, yaml);
  renameSync(`${file}.tmp`, file);
}

before(async () => {
  lab = await ProxyLab.create();
  for (const n of ['b1', 'b2', 'b3']) backends.push(await lab.backend(n));
  writeConfig([{ b: backends[0] as LabBackend, weight: 1 }]);
  routerId = await lab.ca.identity('router', 'router');
  gatewayId = await lab.ca.identity('gateway', 'gw');
  router = await lab.router({ providers: { file: { path: file, pollInterval: 500 } } }, routerId);
  gateway = await lab.gateway(router.endpoints['api'] as string, {}, gatewayId);
});

after(async () => {
  await lab.close();
  rmSync(dir, { recursive: true, force: true });
});

function traffic() {
  const client = lab.client({ connections: 8, keepAliveTimeout: 300 });
  let n = 0;
  return load(() => {
    n++;
    const write = n % 3 === 0;
    return call(client, `${gateway.endpoints['api']}/collections/c/points${write ? '?wait=true' : '/query'}`, {
      method: write ? 'PUT' : 'POST',
      headers: { 'api-key': API_KEY, 'content-type': 'application/json' },
      body: write ? `{"points":[{"id":${n},"vector":[1,2]}]}` : '{"query":[1,2]}',
    });
  }, 6);
}

test('configuration reloads under load lose no request', async (t) => {
  const run = traffic();
  const [b1, b2, b3] = backends as [LabBackend, LabBackend, LabBackend];
  const steps: Array<() => void> = [
    () => writeConfig([{ b: b1, weight: 1 }, { b: b2, weight: 1 }]),
    () => writeConfig([{ b: b1, weight: 1 }, { b: b2, weight: 3 }, { b: b3, weight: 1 }]),
    () => writeConfig([{ b: b2, weight: 1 }, { b: b3, weight: 1 }], '    middlewares: [limit]\nmiddlewares:\n  limit:\n    bodyLimit:\n      maxBytes: 1mb\n'),
    () => writeConfig([{ b: b3, weight: 1 }]),
    () => writeConfig([{ b: b1, weight: 2 }, { b: b3, weight: 1 }]),
  ];
  let generation = (await statusOf(router)) as unknown as { generation: number };
  for (const step of steps) {
    step();
    await eventually(async () => {
      const s = (await statusOf(router)) as unknown as { generation: number };
      assert.ok(s.generation > generation.generation);
      generation = s;
    }, 5000, 50);
    await sleep(300);
  }
  const { ok, failures } = await run.stop();
  t.diagnostic(`${steps.length} reloads, ${ok} requests, ${failures.length} failed`);
  assert.deepEqual(failures, []);
  assert.ok(b2.hits.length > 0 && b3.hits.length > 0, 'the reloaded backends served');
});

function servedSerial(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1', ca: lab.ca.rootPem, servername: 'localhost' }, () => {
      resolve(s.getPeerCertificate().serialNumber);
      s.end();
    });
    s.on('error', reject);
  });
}

test('certificate rotation of every hop under load loses no request; new connections get the new certificate', async (t) => {
  const run = traffic();
  await sleep(300);
  const gatewayPort = Number(new URL(gateway.endpoints['api'] as string).port);
  const before = await servedSerial(gatewayPort);
  for (let round = 0; round < 3; round++) {
    await gatewayId.renewNow();
    await routerId.renewNow();
    for (const b of backends) await b.identity.renewNow();
    await sleep(400);
  }
  const after = await servedSerial(gatewayPort);
  const { ok, failures } = await run.stop();
  t.diagnostic(`3 rotations of 5 certificates, ${ok} requests, ${failures.length} failed`);
  assert.deepEqual(failures, []);
  assert.notEqual(after, before, 'the gateway serves its renewed certificate');
  const norm = (serial: string) => serial.toUpperCase().replace(/^0+/, '');
  assert.equal(norm(after), norm(gatewayId.current.serialNumber), 'it is the current one');
  assert.ok(ok > 30);
});
