import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request } from 'undici';
import { silentLogger } from '../../../src/core/log.js';
import { loadProvisionerKey, mintToken } from '../../../src/core/ca-client/index.js';
import { acmeIssuer, requestEabKey } from '../../../src/core/acme/index.js';
import { remoteIssuer, TlsIdentity, type IdentityRequest } from '../../../src/core/tls/index.js';
import { INVENTORY_TOKEN_PATH, mintAdminToken, REVOKE_TOKEN_PATH } from '../../../src/pki/admin-token.js';
import type { InventoryEntry } from '../../../src/pki/api/certificates-route.js';
import { caLayout } from '../../../src/pki/layout.js';
import { freePort } from '../acme/support.js';
import { CaUnderTest, TRUST_DOMAIN } from './support.js';

interface Page {
  certificates: InventoryEntry[];
  next: string | null;
  total: number;
}

const hex = (serial: string) => serial.toUpperCase().replace(/^0+/, '');

/** GET on the CA with optional bearer token and client certificate. */
async function get(ca: CaUnderTest, path: string, options: { token?: string; client?: TlsIdentity } = {}): Promise<{ status: number; json: unknown; text: string }> {
  const client = options.client?.current;
  const agent = new Agent({ connect: { ca: ca.handle.rootPem, ...(client ? { cert: client.chainPem, key: client.keyPem } : {}) } });
  try {
    const res = await request(new URL(path, ca.url), { dispatcher: agent, headers: options.token ? { authorization: `Bearer ${options.token}` } : {} });
    const text = await res.body.text();
    return { status: res.statusCode, json: JSON.parse(text) as unknown, text };
  } finally {
    await agent.close();
  }
}

/**
 * Issue 4's issued-certificate inventory over HTTP (`GET /1.0/certificates`), as the hub reads it:
 * authorized like revocation by serial (a one-time token of an admin provisioner), paged, with
 * every provisioner's certificates and their revocations; other identities are refused.
 */
test('GET /1.0/certificates: an admin token lists certificates of every provisioner with expiry and revocation, in pages; other identities are refused', async () => {
  const port = await freePort();
  const ca = await CaUnderTest.start({ acme: [{ name: 'acme', challenges: ['http-01'], challengePorts: { http01: port } }] });
  const enrollKey = loadProvisionerKey(caLayout(`${ca.dir}/ca`).enrollKeyFile);
  const request_ = (role: string, name: string): IdentityRequest => ({ trustDomain: TRUST_DOMAIN, role, name, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  const byToken = (role: string, name: string, key = ca.provisioner) => {
    const req = request_(role, name);
    const sans = TlsIdentity.sansOf(req);
    return TlsIdentity.obtain(req, remoteIssuer(ca.endpoint, () => mintToken(key, { subject: sans.at(-1) as string, sans, caUrl: ca.url })), { logger: silentLogger() });
  };
  const admin = (path = INVENTORY_TOKEN_PATH, subject = `spiffe://${TRUST_DOMAIN}/hub/hub1`, key = ca.provisioner) => mintAdminToken(key, { subject, path, caUrl: ca.url });
  try {
    const gateway = await byToken('gateway', 'g1');
    const agent = await byToken('agent', 'edge-1', enrollKey);
    const routerReq = request_('router', 'r1');
    const routerSans = TlsIdentity.sansOf(routerReq);
    const router = await TlsIdentity.obtain(
      routerReq,
      acmeIssuer({ directoryUrl: `${ca.url}/acme/acme/directory`, rootPem: ca.handle.rootPem, challengePort: port, externalAccountKey: async () => requestEabKey(ca.endpoint, await ca.token(routerSans.at(-1) as string, routerSans), 'acme'), logger: silentLogger() }),
      { logger: silentLogger() },
    );
    const revoked = await ca.raw('POST', '/1.0/revoke', { body: JSON.stringify({ serial: gateway.current.serialNumber, reasonCode: 1, ott: await admin(REVOKE_TOKEN_PATH, gateway.current.serialNumber) }) });
    assert.equal(revoked.status, 200, revoked.text);

    // The admin sees all of them, each with its provisioner, validity and status.
    const all = await get(ca, '/1.0/certificates', { token: await admin() });
    assert.equal(all.status, 200, all.text);
    const page = all.json as Page;
    const find = (id: TlsIdentity) => page.certificates.find((c) => c.serial === hex(id.current.serialNumber));
    assert.equal(find(gateway)?.provisioner, 'phoenix');
    assert.equal(find(agent)?.provisioner, 'enroll');
    assert.equal(find(router)?.provisioner, 'acme');
    assert.equal(find(agent)?.subject, `spiffe://${TRUST_DOMAIN}/agent/edge-1`);
    assert.ok(find(router)?.sans.includes(`URI:spiffe://${TRUST_DOMAIN}/router/r1`), JSON.stringify(find(router)));
    assert.equal(Date.parse(find(agent)?.notAfter ?? ''), agent.current.notAfter.getTime());
    assert.equal(Date.parse(find(agent)?.notBefore ?? ''), agent.current.notBefore.getTime());
    assert.equal(find(agent)?.status, 'valid');
    assert.equal(find(agent)?.revocation, null);
    assert.equal(find(gateway)?.status, 'revoked');
    assert.equal(find(gateway)?.revocation?.reason, 'keyCompromise');
    assert.equal(find(gateway)?.revocation?.revokedBy, 'admin:phoenix');
    assert.equal(page.total, page.certificates.length, 'one page holds them all at the default limit');
    assert.equal(page.next, null);

    // Paging: limit 2, following `next`, gives every certificate once, newest first.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(ca, `/1.0/certificates?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: await admin() });
      assert.equal(res.status, 200, res.text);
      const p = res.json as Page;
      assert.ok(p.certificates.length <= 2);
      seen.push(...p.certificates.map((c) => c.serial));
      cursor = p.next;
    } while (cursor);
    assert.deepEqual(seen, page.certificates.map((c) => c.serial));
    assert.ok(seen.length >= 4, `at least the four issued here: ${seen.length}`);
    const future = await get(ca, `/1.0/certificates?notAfterFrom=${encodeURIComponent(new Date(Date.now() + 48 * 3_600_000).toISOString())}`, { token: await admin() });
    assert.deepEqual((future.json as Page).certificates, [], 'none expires in more than 48 h');

    // Refusals: a reused token, an enroll-provisioner token, a client certificate without a token, nothing.
    const once = await admin();
    assert.equal((await get(ca, '/1.0/certificates', { token: once })).status, 200);
    const reused = await get(ca, '/1.0/certificates', { token: once });
    assert.equal(reused.status, 401);
    assert.match(reused.text, /already used/);
    const enroll = await get(ca, '/1.0/certificates', { token: await admin(INVENTORY_TOKEN_PATH, 'x', enrollKey) });
    assert.equal(enroll.status, 403, enroll.text);
    assert.match(enroll.text, /enroll provisioner is not an admin provisioner/);
    const revokeByEnroll = await ca.raw('POST', '/1.0/revoke', { body: JSON.stringify({ serial: agent.current.serialNumber, ott: await admin(REVOKE_TOKEN_PATH, agent.current.serialNumber, enrollKey) }) });
    assert.equal(revokeByEnroll.status, 403, 'an enroll token cannot revoke either');
    const wrongAudience = await get(ca, '/1.0/certificates', { token: await admin(REVOKE_TOKEN_PATH) });
    assert.equal(wrongAudience.status, 401, 'a revoke token is not an inventory token');
    const byCertificate = await get(ca, '/1.0/certificates', { client: router });
    assert.equal(byCertificate.status, 403, byCertificate.text);
    assert.match(byCertificate.text, new RegExp(`spiffe://${TRUST_DOMAIN}/router/r1 may not read the certificate inventory`));
    assert.deepEqual(await get(ca, '/1.0/certificates').then((r) => r.status), 401);
    const bad = await get(ca, '/1.0/certificates?limit=0', { token: await admin() });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /limit/);
    const audit = (await import('../../../src/pki/operator.js')).auditLog;
    const refused = (await audit(`${ca.dir}/ca`, 100)).filter((e) => e.action === 'inventory');
    assert.ok(refused.length >= 3 && refused.every((e) => e.outcome === 'refused'), JSON.stringify(refused));
  } finally {
    await ca.close();
  }
});
