import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, randomUUID, X509Certificate } from 'node:crypto';
import { SignJWT } from 'jose';
import { silentLogger } from '../../../src/core/log.js';
import { generatePrivateKeyPem } from '../../../src/core/tls/keys.js';
import { remoteIssuer, TlsIdentity, type IdentityRequest } from '../../../src/core/tls/index.js';
import { sleep } from '../../../src/core/lifecycle.js';
import { CaUnderTest, TRUST_DOMAIN } from './support.js';

async function renewToken(certPem: string, keyPem: string, aud: string, jti = randomUUID(), expSeconds = 60): Promise<string> {
  const der = new X509Certificate(certPem).raw.toString('base64');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', x5c: [der] })
    .setAudience(aud)
    .setJti(jti)
    .setIssuedAt(now)
    .setNotBefore(now - 5)
    .setExpirationTime(now + expSeconds)
    .sign(createPrivateKey(keyPem));
}

/**
 * Renewal for callers behind a TLS-terminating proxy: a token signed by the certificate's key with
 * the certificate in x5c, instead of mTLS. Single use; wrong audience, wrong key, expired or revoked
 * certificates refused, nothing issued.
 */
test('renewal with an x5c token (no client certificate): renews once; reuse, wrong key, wrong audience and an expired certificate are refused', async () => {
  const ca = await CaUnderTest.start({ lifetime: { default: '3s', min: '1s', max: '1h' } });
  try {
    const req: IdentityRequest = { trustDomain: TRUST_DOMAIN, role: 'hub', name: 'h1', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] };
    const sans = TlsIdentity.sansOf(req);
    const id = await TlsIdentity.obtain(req, remoteIssuer(ca.endpoint, () => ca.token(sans.at(-1) as string, sans)), { logger: silentLogger() });
    const aud = `${ca.url}/1.0/renew`;
    const renew = async (token: string) => ca.rawWithHeaders('POST', '/1.0/renew', { authorization: `Bearer ${token}` });

    const token = await renewToken(id.current.certPem, id.current.keyPem, aud);
    const ok = await renew(token);
    assert.equal(ok.status, 201, ok.text);
    const renewed = new X509Certificate((ok.json as { crt: string }).crt);
    assert.notEqual(renewed.serialNumber, id.current.serialNumber);
    assert.ok(renewed.publicKey.export({ format: 'der', type: 'spki' }).equals(new X509Certificate(id.current.certPem).publicKey.export({ format: 'der', type: 'spki' })), 'same key');

    const cases: Array<[string, string, RegExp]> = [
      ['reused token', token, /already used/],
      ['signed by another key', await renewToken(id.current.certPem, generatePrivateKeyPem(), aud), /does not verify/],
      ['other audience', await renewToken(id.current.certPem, id.current.keyPem, `${ca.url}/1.0/sign`), /audience/],
      ['no x5c', await new SignJWT({}).setProtectedHeader({ alg: 'ES256' }).setAudience(aud).setJti('x').setExpirationTime('1m').sign(createPrivateKey(id.current.keyPem)), /x5c/],
    ];
    for (const [name, t, message] of cases) {
      const res = await renew(t);
      assert.equal(res.status, 401, `${name}: ${res.text}`);
      assert.match((res.json as { message: string }).message, message, name);
    }
    await sleep(Math.max(0, id.current.notAfter.getTime() - Date.now()) + 1100);
    const expired = await renew(await renewToken(id.current.certPem, id.current.keyPem, aud));
    assert.equal(expired.status, 401, expired.text);
    assert.match((expired.json as { message: string }).message, /expired at .* cannot be renewed/);
    const metrics = (await ca.raw('GET', '/metrics')).text;
    assert.match(metrics, /phoenix_ca_certificates_renewed_total\{provisioner="phoenix"\} 1\n/, 'only the first renewal issued anything');
  } finally {
    await ca.close();
  }
});
