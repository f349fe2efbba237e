import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../../src/core/log.js';
import { acmeIssuer, requestEabKey } from '../../../src/core/acme/index.js';
import { TlsIdentity, type IdentityRequest } from '../../../src/core/tls/index.js';
import { CaUnderTest, TRUST_DOMAIN } from '../pki/support.js';
import { freePort } from './support.js';

/**
 * The router and gateway get their certificates through ACME (src/core/acme, acme-client inside
 * Phoenix): an EAB key from a one-time token binds the account to the role's SPIFFE ID; http-01 is
 * answered on the role's own challenge port; renewal is a new order for the same key and names.
 */
test('acmeIssuer: a TlsIdentity obtains and renews its certificate through ACME with its SPIFFE URI; the provisioner policy and EAB hold', async () => {
  const port = await freePort();
  const ca = await CaUnderTest.start({
    lifetime: { default: '1h', min: '1s', max: '24h' },
    acme: [
      { name: 'acme' },
      { name: 'router', requireEab: true, challenges: ['http-01'], challengePorts: { http01: port }, policy: { allow: { dns: ['localhost'], ips: ['127.0.0.1'], uris: [`spiffe://${TRUST_DOMAIN}/router/*`] } } },
    ],
  });
  const directoryUrl = `${ca.url}/acme/router/directory`;
  const obtain = (role: string, name: string, withEab = true) => {
    const req: IdentityRequest = { trustDomain: TRUST_DOMAIN, role, name, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] };
    const sans = TlsIdentity.sansOf(req);
    const issuer = acmeIssuer({
      directoryUrl,
      rootPem: ca.handle.rootPem,
      challengePort: port,
      ...(withEab ? { externalAccountKey: async () => requestEabKey(ca.endpoint, await ca.token(sans.at(-1) as string, sans), 'router') } : {}),
      logger: silentLogger(),
    });
    return TlsIdentity.obtain(req, issuer, { logger: silentLogger() });
  };
  try {
    const router = await obtain('router', 'r1');
    const first = router.current;
    assert.match(first.certPem, /BEGIN CERTIFICATE/);
    const { X509Certificate } = await import('node:crypto');
    const leaf = new X509Certificate(first.certPem);
    assert.match(leaf.subjectAltName ?? '', /DNS:localhost/);
    assert.match(leaf.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
    assert.match(leaf.subjectAltName ?? '', new RegExp(`URI:spiffe://${TRUST_DOMAIN.replace('.', '\\.')}/router/r1`));
    assert.equal(router.id.uri, `spiffe://${TRUST_DOMAIN}/router/r1`);
    await router.renewNow();
    assert.notEqual(router.current.serialNumber, first.serialNumber, 'renewal through a new ACME order');
    assert.equal(router.current.keyPem, first.keyPem, 'same key');
    assert.match(new X509Certificate(router.current.certPem).subjectAltName ?? '', /URI:spiffe/);

    await assert.rejects(obtain('gateway', 'g1'), /rejectedIdentifier|name policy|gateway/, 'a gateway identity is outside the router provisioner policy');
    await assert.rejects(obtain('router', 'r2', false), /external account binding|externalAccountRequired/i, 'no account without EAB');
    const metrics = (await ca.raw('GET', '/metrics')).text;
    assert.match(metrics, /phoenix_ca_certificates_issued_total\{provisioner="router"\} 2/);
  } finally {
    await ca.close();
  }
});
