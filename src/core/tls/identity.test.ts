import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { TestCa, TEST_TRUST_DOMAIN } from '../../../test/fixtures/test-ca.js';
import { guardTlsServer, serverTlsOptions } from './server.js';
import { IdentityPolicy } from './spiffe.js';
import { silentLogger } from '../log.js';
import { sleep } from '../lifecycle.js';
import { createMtlsAgent } from './client.js';
import { request as undiciRequest } from 'undici';

function get(port: number, opts: { key?: string; cert?: string; ca: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', ca: opts.ca, key: opts.key, cert: opts.cert, servername: 'localhost', agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

test('an mTLS listener admits allowed identities and refuses others and anonymous clients', async () => {
  const ca = await TestCa.create();
  const server = await ca.identity('router', 'r1');
  const gateway = await ca.identity('gateway', 'g1');
  const vector = await ca.identity('vector', 'v1');
  const https = createServer(serverTlsOptions(server, 'required'), (_req, res) => res.end('hello'));
  guardTlsServer(https, { identity: server, policy: IdentityPolicy.roles(TEST_TRUST_DOMAIN, 'gateway'), logger: silentLogger() });
  await new Promise<void>((r) => https.listen(0, '127.0.0.1', r));
  const port = (https.address() as AddressInfo).port;
  try {
    assert.equal(await get(port, { ca: ca.rootPem, key: gateway.current.keyPem, cert: gateway.current.chainPem }), 'hello');
    await assert.rejects(get(port, { ca: ca.rootPem, key: vector.current.keyPem, cert: vector.current.chainPem }));
    await assert.rejects(get(port, { ca: ca.rootPem }));
  } finally {
    https.close();
  }
});

test('renewal swaps certificates in place: clients keep working across several renewals', async () => {
  const ca = await TestCa.create(1500);
  const server = await ca.identity('vector', 'v1');
  const client = await ca.identity('router', 'r1');
  const ac = new AbortController();
  server.start(ac.signal);
  client.start(ac.signal);
  const https = createServer(serverTlsOptions(server, 'required'), (_req, res) => res.end('ok'));
  guardTlsServer(https, { identity: server, policy: IdentityPolicy.roles(TEST_TRUST_DOMAIN, 'router'), logger: silentLogger() });
  await new Promise<void>((r) => https.listen(0, '127.0.0.1', r));
  const port = (https.address() as AddressInfo).port;
  const agent = createMtlsAgent(client, { serverPolicy: IdentityPolicy.roles(TEST_TRUST_DOMAIN, 'vector'), agent: { keepAliveTimeout: 200 } });
  const firstSerial = server.current.serialNumber;
  try {
    const deadline = Date.now() + 5000;
    let n = 0;
    while (Date.now() < deadline) {
      const res = await undiciRequest(`https://127.0.0.1:${port}/`, { dispatcher: agent });
      assert.equal(await res.body.text(), 'ok');
      n++;
      await sleep(50);
    }
    assert.ok(ca.renewed >= 4, `expected several renewals, saw ${ca.renewed}`);
    assert.notEqual(server.current.serialNumber, firstSerial);
    assert.ok(n > 50);
  } finally {
    ac.abort();
    await agent.close();
    https.close();
  }
});

test('an mTLS client refuses a server with the wrong identity', async () => {
  const ca = await TestCa.create();
  const server = await ca.identity('agent', 'a1');
  const client = await ca.identity('router', 'r1');
  const https = createServer(serverTlsOptions(server, 'required'), (_req, res) => res.end('ok'));
  await new Promise<void>((r) => https.listen(0, '127.0.0.1', r));
  const port = (https.address() as AddressInfo).port;
  const agent = createMtlsAgent(client, { serverPolicy: IdentityPolicy.roles(TEST_TRUST_DOMAIN, 'vector') });
  try {
    await assert.rejects(undiciRequest(`https://127.0.0.1:${port}/`, { dispatcher: agent }), /not allowed/);
  } finally {
    await agent.close();
    https.close();
  }
});
