/**
 * Runtime `external` endpoints (real Qdrant nodes outside Phoenix's PKI) through the router: the
 * hub feed lists them under `services[].external[]` with the CA bundle that signs them; the router
 * trusts exactly that bundle for that backend, checks the node's host name, and presents its own
 * certificate. The nodes here are plain HTTPS servers with certificates from CAs made with openssl
 * in the test (not Phoenix's), one of them requiring a client certificate from Phoenix's CA the
 * way a Qdrant node configured for mTLS does.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { sleep } from '../../../src/core/lifecycle.js';
import type { GatewayHandle } from '../../../src/gateway/main.js';
import type { RouterHandle } from '../../../src/router/main.js';
import { API_KEY, call, ProxyLab, statusOf, type LabBackend } from './support.js';

/** A CA and a `localhost` server certificate made by openssl, unrelated to Phoenix's CA. */
function opensslCa(dir: string, name: string): { caPem: string; keyPem: string; certPem: string } {
  const f = (x: string) => join(dir, `${name}-${x}`);
  const run = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  run('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', `/CN=${name} test CA`, '-keyout', f('ca.key'), '-out', f('ca.pem'));
  run('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=localhost', '-keyout', f('node.key'), '-out', f('node.csr'));
  writeFileSync(f('ext.cnf'), 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n');
  run('x509', '-req', '-in', f('node.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', f('ext.cnf'), '-out', f('node.pem'));
  return { caPem: readFileSync(f('ca.pem'), 'utf8'), keyPem: readFileSync(f('node.key'), 'utf8'), certPem: readFileSync(f('node.pem'), 'utf8') };
}

interface Node {
  url: string;
  hits: Array<{ path: string; clientCert: boolean }>;
  server: Server;
}

/** A Qdrant-like node: `/readyz`, and a JSON answer naming itself for everything else. */
async function startNode(name: string, tls: { keyPem: string; certPem: string }, clientCa?: string): Promise<Node> {
  const hits: Node['hits'] = [];
  const server = createServer({ key: tls.keyPem, cert: tls.certPem, ...(clientCa ? { ca: clientCa, requestCert: true, rejectUnauthorized: true } : {}) }, (req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url === '/readyz') return void res.end('all shards are ready');
      hits.push({ path: req.url ?? '', clientCert: (req.socket as TLSSocket).authorized });
      const text = JSON.stringify({ result: { backend: name, path: req.url }, status: 'ok', time: 0 });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `https://localhost:${(server.address() as AddressInfo).port}`, hits, server };
}

let lab: ProxyLab;
let dir: string;
let router: RouterHandle;
let gateway: GatewayHandle;
let embedded: LabBackend;
let good: Node;
let impostor: Node;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'phoenix-external-'));
  lab = await ProxyLab.create();
  const nodeCa = opensslCa(dir, 'qdrant');
  const otherCa = opensslCa(dir, 'other');
  embedded = await lab.backend('r1');
  // The real node requires a client certificate from Phoenix's CA (Qdrant configured for mTLS).
  good = await startNode('ext-good', nodeCa, lab.ca.rootPem);
  // Same name, but signed by another CA than the one registered for it.
  impostor = await startNode('ext-impostor', otherCa);
  const hub = await lab.hub(() => ({
    services: [
      {
        name: 'qdrant',
        stack: 'qdrant_service',
        hosts: ['qdrant'],
        default: true,
        backends: [{ id: 'qdrant_service.qdrant.1', url: embedded.url, identity: embedded.spiffe }],
        external: [
          { id: 'qdrant_service.qdrant.ext1', url: good.url, ca: nodeCa.caPem, serverName: 'localhost' },
          { id: 'qdrant_service.qdrant.ext2', url: 'https://localhost:9', ca: 'this is not a PEM bundle' },
        ],
      },
      {
        name: 'impostor',
        stack: 'other',
        hosts: ['impostor'],
        backends: [],
        external: [{ id: 'other.impostor.1', url: impostor.url, ca: nodeCa.caPem }],
      },
      {
        name: 'misnamed',
        stack: 'other',
        hosts: ['misnamed'],
        backends: [],
        // The right CA, but the certificate is for localhost, not this name.
        external: [{ id: 'other.misnamed.1', url: good.url, ca: nodeCa.caPem, serverName: 'qdrant-9.example.net' }],
      },
      {
        name: 'checked',
        stack: 'other',
        hosts: ['checked'],
        healthCheck: { path: '/readyz', intervalMs: 200, timeoutMs: 1000 },
        backends: [],
        // Reached by address, the name to check given apart (another backend than the one above).
        external: [{ id: 'other.checked.1', url: impostor.url.replace('localhost', '127.0.0.1'), ca: nodeCa.caPem, serverName: 'localhost' }],
      },
    ],
  }));
  router = await lab.router({ hubUrl: hub.url, throttle: 50 });
  gateway = await lab.gateway(router.endpoints['api'] as string);
  for (let i = 0; i < 100; i++) {
    const s = await statusOf(router);
    if (s.services.length === 4) break;
    await sleep(50);
  }
});

after(async () => {
  await lab.close();
  for (const n of [good, impostor]) n?.server.close();
  rmSync(dir, { recursive: true, force: true });
});

test('requests through gateway → router reach the external node (its own CA, mTLS with the router certificate) and the embedded replica alike', async () => {
  const client = lab.client();
  const seen = new Set<string>();
  for (let i = 0; i < 8; i++) {
    const a = await call(client, `${gateway.endpoints['api']}/collections/c/points/query`, {
      method: 'POST',
      headers: { 'api-key': API_KEY, 'content-type': 'application/json' },
      body: '{"query":[1,2],"limit":3}',
    });
    assert.equal(a.status, 200, a.text);
    seen.add(a.json?.result?.backend ?? '?');
  }
  assert.deepEqual([...seen].sort(), ['ext-good', 'r1']);
  assert.ok(good.hits.length >= 3, `the external node got ${good.hits.length} requests`);
  assert.ok(good.hits.every((h) => h.clientCert), 'the router presented a certificate the node accepted');
  assert.ok(embedded.hits.length >= 3);
});

test('an external endpoint whose CA bundle does not parse is disabled alone, with the reason in the status API', async () => {
  const s = await statusOf(router);
  const svc = s.services.find((x) => x.name === 'qdrant@hub');
  const broken = svc?.backends.find((b) => b.url === 'https://localhost:9') as { health: string; available: boolean; reason: string; identity: string } | undefined;
  assert.ok(broken, JSON.stringify(svc));
  assert.equal(broken.available, false);
  assert.equal(broken.health, 'down');
  assert.match(broken.reason, /CA bundle holds no PEM certificate/);
  assert.deepEqual(s.errors, []);
  assert.equal(svc?.backends.filter((b) => b.available).length, 2);
});

test('a node whose certificate is not signed by the CA given for it is refused with the TLS reason, the backend unhealthy', async () => {
  const client = await lab.asGateway();
  const a = await call(client, `${router.endpoints['api']}/collections`, { headers: { host: 'impostor' } });
  // Its only backend failed to connect and no other is left to retry on: 503 as for a replica gone,
  // with the reason of the failure.
  assert.equal(a.status, 503, a.text);
  assert.match(a.text, /no healthy backend for service impostor@hub; last failure: upstream https:\/\/localhost:\d+ failed to connect: .*(self.signed|unable to (get|verify))/i);
  assert.equal(impostor.hits.length, 0, 'nothing reached the impostor');

  // With an active health check, the backend shows down with the TLS reason.
  let checked: { health: string; available: boolean; reason: string } | undefined;
  for (let i = 0; i < 40; i++) {
    const s = await statusOf(router);
    checked = s.services.find((x) => x.name === 'checked@hub')?.backends[0] as typeof checked;
    if (checked?.health === 'down') break;
    await sleep(50);
  }
  assert.equal(checked?.health, 'down', JSON.stringify(checked));
  assert.equal(checked?.available, false);
  assert.match(checked?.reason ?? '', /health check \/readyz failed: .*(self.signed|unable to (get|verify))/i);
  const b = await call(client, `${router.endpoints['api']}/collections`, { headers: { host: 'checked' } });
  assert.equal(b.status, 503, b.text);
  assert.match(b.text, /no healthy backend for service checked@hub/);
  assert.equal(impostor.hits.length, 0);
});

test('a node whose certificate holds another name than the one given is refused', async () => {
  const client = await lab.asGateway();
  const before = good.hits.length;
  const a = await call(client, `${router.endpoints['api']}/collections`, { headers: { host: 'misnamed' } });
  assert.equal(a.status, 503, a.text);
  assert.match(a.text, /external server certificate does not match the name qdrant-9\.example\.net/);
  assert.equal(good.hits.length, before, 'nothing reached the node');
});
