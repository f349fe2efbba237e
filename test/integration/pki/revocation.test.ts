import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { validateConfig } from '../../../src/core/config.js';
import { silentLogger } from '../../../src/core/log.js';
import { renewCertificate } from '../../../src/core/ca-client/index.js';
import { attachRevocationList, remoteIssuer, revocationListFor, TlsIdentity, type IdentityRequest } from '../../../src/core/tls/index.js';
import { mintAdminToken, REVOKE_TOKEN_PATH } from '../../../src/pki/admin-token.js';
import { routerConfigSchema } from '../../../src/router/config.js';
import { startRouter } from '../../../src/router/main.js';
import { runTool } from '../acme/support.js';
import { eventually } from '../../helpers/eventually.js';
import { CaUnderTest, TRUST_DOMAIN } from './support.js';

const REFRESH_MS = 1000;

async function identity(ca: CaUnderTest, role: string, name: string): Promise<TlsIdentity> {
  const req: IdentityRequest = { trustDomain: TRUST_DOMAIN, role, name, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] };
  const sans = TlsIdentity.sansOf(req);
  return TlsIdentity.obtain(req, remoteIssuer(ca.endpoint, () => ca.token(sans.at(-1) as string, sans)), { logger: silentLogger() });
}

/** One request to the router with a client identity on a fresh connection; the HTTP status or the connection error. */
async function call(url: string, client: TlsIdentity, agent?: Agent): Promise<number | string> {
  const own = agent ?? new Agent({ connect: { ca: client.rootPem, key: client.current.keyPem, cert: client.current.chainPem, servername: 'localhost' } });
  try {
    const res = await request(`${url}/collections`, { dispatcher: own, headersTimeout: 5000 });
    await res.body.text();
    return res.statusCode;
  } catch (err) {
    return (err as { code?: string }).code ?? (err as Error).message;
  } finally {
    if (!agent) await own.close();
  }
}

/**
 * Done-when 2: after a revocation the serial is in the CRL (openssl parses it), the real router
 * refuses the revoked gateway certificate within the refresh interval (new connections, and its
 * open keep-alive connection is closed), other gateways keep working, and renewal is refused.
 */
test('a revoked gateway certificate is listed in the CRL, refused by the router within the refresh interval, and cannot be renewed', async () => {
  const ca = await CaUnderTest.start();
  const abort = new AbortController();
  const dir = mkdtempSync(join(tmpdir(), 'phoenix-revocation-'));
  const routerIdentity = await identity(ca, 'router', 'r1');
  const list = revocationListFor(routerIdentity, { caUrl: ca.url, refreshMs: REFRESH_MS, logger: silentLogger() });
  attachRevocationList(routerIdentity, list);
  list.start(abort.signal);
  const router = await startRouter(
    validateConfig(routerConfigSchema, { name: 'r1', trustDomain: TRUST_DOMAIN, dataDir: dir, listen: { port: 0 }, providers: { static: {} }, accessLog: false }, 'router'),
    { identity: routerIdentity, logger: silentLogger() },
  );
  const url = router.endpoints.api as string;
  const revoked = await identity(ca, 'gateway', 'g1');
  const other = await identity(ca, 'gateway', 'g2');
  const keepAlive = new Agent({ connect: { ca: revoked.rootPem, key: revoked.current.keyPem, cert: revoked.current.chainPem, servername: 'localhost' }, keepAliveTimeout: 60_000 });
  try {
    await eventually(() => assert.ok(list.ready), 5000);
    assert.equal(typeof (await call(url, revoked)), 'number', 'before revocation the gateway is admitted');
    assert.equal(typeof (await call(url, revoked, keepAlive)), 'number', 'and holds a keep-alive connection');

    const serial = revoked.current.serialNumber;
    const ott = await mintAdminToken(ca.provisioner, { subject: serial, path: REVOKE_TOKEN_PATH, caUrl: ca.url });
    const res = await ca.raw('POST', '/1.0/revoke', { body: JSON.stringify({ serial, reasonCode: 1, ott }) });
    assert.equal(res.status, 200, res.text);
    const revokedAt = Date.now();

    const crl = await ca.raw('GET', '/1.0/crl?pem=true');
    writeFileSync(join(dir, 'crl.pem'), crl.text);
    const text = await runTool('openssl', ['crl', '-in', join(dir, 'crl.pem'), '-noout', '-text'], {}, 10_000);
    assert.equal(text.code, 0, text.out);
    assert.match(text.out, new RegExp(`Serial Number: 0*${serial.replace(/^0+/, '')}\\b`), `the CRL lists ${serial}:\n${text.out}`);
    assert.match(text.out, /Key Compromise/);

    await eventually(async () => assert.equal(typeof (await call(url, revoked)), 'string', 'the revoked certificate is refused'), 5000, 100);
    const refusedAfter = Date.now() - revokedAt;
    assert.ok(refusedAfter <= REFRESH_MS + 1500, `refused ${refusedAfter} ms after revocation (refresh interval ${REFRESH_MS} ms)`);
    assert.equal(typeof (await call(url, revoked, keepAlive)), 'string', 'its open keep-alive connection was closed too');
    assert.equal(typeof (await call(url, other)), 'number', 'another gateway is still admitted');

    await assert.rejects(renewCertificate(ca.endpoint, revoked.current.keyPem, revoked.current.chainPem), (err: Error) => {
      assert.match(err.message, /\(401\).*revoked/);
      return true;
    });
    const again = await ca.raw('POST', '/1.0/revoke', { body: JSON.stringify({ serial, ott: await mintAdminToken(ca.provisioner, { subject: serial, path: REVOKE_TOKEN_PATH, caUrl: ca.url }) }) });
    assert.equal(again.status, 409, 'revoking twice is a conflict');
    const reused = await ca.raw('POST', '/1.0/revoke', { body: JSON.stringify({ serial: other.current.serialNumber, ott }) });
    assert.equal(reused.status, 403, `a token for another serial is refused: ${reused.text}`);
  } finally {
    abort.abort();
    await keepAlive.close();
    await router.close();
    await ca.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
