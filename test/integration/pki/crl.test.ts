import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../../src/core/log.js';
import { RevocationList, remoteIssuer, TlsIdentity, type IdentityRequest } from '../../../src/core/tls/index.js';
import { mintAdminToken, REVOKE_TOKEN_PATH } from '../../../src/pki/admin-token.js';
import { CaUnderTest, TRUST_DOMAIN } from './support.js';

/**
 * The listener side of revocation (src/core/tls/crl.ts): the CRL is accepted only when the issuing
 * intermediate signed it; when the CA is unreachable the last good list stays in force.
 */
test('RevocationList: verifies the CRL signature, follows revocations, keeps the last list when the CA is down', async () => {
  const ca = await CaUnderTest.start();
  const other = await CaUnderTest.start();
  try {
    const req: IdentityRequest = { trustDomain: TRUST_DOMAIN, role: 'vector', name: 'v1', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] };
    const sans = TlsIdentity.sansOf(req);
    const id = await TlsIdentity.obtain(req, remoteIssuer(ca.endpoint, () => ca.token(sans.at(-1) as string, sans)), { logger: silentLogger() });
    const intermediate = id.current.chainPem.split(/(?=-----BEGIN CERTIFICATE-----)/)[1] as string;
    const list = new RevocationList({ caUrl: ca.url, rootPem: ca.handle.rootPem, issuers: () => [intermediate], logger: silentLogger() });
    await list.refresh();
    assert.equal(list.ready, true);
    assert.equal(list.isRevoked(id.current.serialNumber), false);
    let updates = 0;
    list.onUpdate(() => updates++);
    const serial = id.current.serialNumber;
    const ott = await mintAdminToken(ca.provisioner, { subject: serial, path: REVOKE_TOKEN_PATH, caUrl: ca.url });
    assert.equal((await ca.raw('POST', '/1.0/revoke', { body: JSON.stringify({ serial, ott }) })).status, 200);
    await list.refresh();
    assert.equal(list.isRevoked(serial), true);
    assert.equal(list.isRevoked(`00:${serial.toLowerCase()}`), true, 'serials compare however they are written');
    assert.equal(updates, 1);

    const foreign = new RevocationList({ caUrl: other.url, rootPem: other.handle.rootPem, issuers: () => [intermediate], logger: silentLogger() });
    await assert.rejects(foreign.refresh(), /does not verify/, "a CRL signed by another CA's intermediate is refused");

    await ca.handle.close();
    await assert.rejects(list.refresh(), 'the CA is down');
    assert.equal(list.isRevoked(serial), true, 'the last good list stays in force');
  } finally {
    await ca.close();
    await other.close();
  }
});
