/**
 * `startVector` serves the API over mTLS: a router identity (and a fellow replica) is served, a
 * gateway identity and a client without a certificate are refused; close() is idempotent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { TestCa, TEST_TRUST_DOMAIN } from '../../fixtures/test-ca.js';
import { validateConfig } from '../../../src/core/config.js';
import { silentLogger } from '../../../src/core/log.js';
import { createMtlsAgent, IdentityPolicy, type TlsIdentity } from '../../../src/core/tls/index.js';
import { startVector, vectorConfigSchema } from '../../../src/vector/main.js';

async function call(url: string, client: TlsIdentity, method: 'GET' | 'PUT' = 'GET', body?: unknown) {
  const agent = createMtlsAgent(client, { serverPolicy: IdentityPolicy.roles(TEST_TRUST_DOMAIN, 'vector') });
  try {
    const res = await request(url, {
      method,
      dispatcher: agent,
      ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
    });
    return { status: res.statusCode, json: (await res.body.json()) as Record<string, unknown> };
  } finally {
    await agent.close();
  }
}

test('the vector API listens with mTLS: router and vector peers are served, gateway and anonymous clients refused', async () => {
  const ca = await TestCa.create();
  const identity = await ca.identity('vector', 'v1');
  const router = await ca.identity('router', 'r1');
  const replica = await ca.identity('vector', 'v2');
  const gateway = await ca.identity('gateway', 'g1');
  const dataDir = mkdtempSync(join(tmpdir(), 'phoenix-vector-mtls-'));
  const config = validateConfig(vectorConfigSchema, { name: 'v1', trustDomain: TEST_TRUST_DOMAIN, dataDir, listen: { host: '127.0.0.1', port: 0 } }, 'vector');
  const handle = await startVector(config, { identity, logger: silentLogger() });
  try {
    const api = handle.endpoints.api!;
    assert.match(api, /^https:\/\/127\.0\.0\.1:\d+$/);

    const created = await call(`${api}/collections/secure`, router, 'PUT', { vectors: { size: 2, distance: 'Dot' } });
    assert.equal(created.status, 200);
    assert.equal(created.json.result, true);
    const listed = await call(`${api}/collections`, replica);
    assert.deepEqual(listed.json.result, { collections: [{ name: 'secure' }] });

    await assert.rejects(call(`${api}/collections`, gateway), 'a gateway certificate is refused');
    const anonymous = new Agent({ connect: { ca: ca.rootPem } });
    try {
      await assert.rejects(
        request(`${api}/collections`, { dispatcher: anonymous }).then((r) => r.body.text()),
        'no client certificate, no service',
      );
    } finally {
      await anonymous.close();
    }
  } finally {
    await handle.close();
    await handle.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('startVector keeps collections across a restart on the same data directory', async () => {
  const ca = await TestCa.create();
  const identity = await ca.identity('vector', 'v1');
  const router = await ca.identity('router', 'r1');
  const dataDir = mkdtempSync(join(tmpdir(), 'phoenix-vector-restart-'));
  const config = validateConfig(vectorConfigSchema, { name: 'v1', trustDomain: TEST_TRUST_DOMAIN, dataDir, listen: { host: '127.0.0.1', port: 0 } }, 'vector');
  try {
    const first = await startVector(config, { identity, logger: silentLogger() });
    await call(`${first.endpoints.api}/collections/keep`, router, 'PUT', { vectors: { size: 2, distance: 'Dot' } });
    await call(`${first.endpoints.api}/collections/keep/points?wait=true`, router, 'PUT', { points: [{ id: 1, vector: [1, 2], payload: { a: 1 } }] });
    await first.close();
    const second = await startVector(config, { identity, logger: silentLogger() });
    try {
      const got = await call(`${second.endpoints.api}/collections/keep/points/1`, router);
      assert.deepEqual(got.json.result, { id: 1, payload: { a: 1 }, vector: [1, 2] });
    } finally {
      await second.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
