import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID, X509Certificate } from 'node:crypto';
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK } from 'jose';
import { mintToken, type ProvisionerKey } from '../../core/ca-client/token.js';
import { createCsrPem, generatePrivateKeyPem } from '../../core/tls/keys.js';
import { PhoenixError } from '../../core/errors.js';
import { x509 } from '../../core/tls/x509.js';
import { createTestAuthority, TEST_CA_URL, type TestAuthority } from './test-authority.js';

const URI = 'spiffe://phoenix.test/router/r1';
const SANS = ['localhost', '127.0.0.1', URI];

let ca: TestAuthority;
let keyPem: string;
let csrPem: string;
before(async () => {
  ca = await createTestAuthority();
  keyPem = generatePrivateKeyPem();
  csrPem = await createCsrPem(keyPem, { commonName: URI, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], uris: [URI] });
});
after(() => ca.close());

/** A token signed with `key` and arbitrary claims (for the cases mintToken cannot produce). */
async function customToken(key: ProvisionerKey, claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sans: SANS, ...claims })
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT', ...header })
    .setIssuer((claims['iss'] as string | undefined) ?? key.name)
    .setSubject(URI)
    .setAudience((claims['aud'] as string | undefined) ?? `${TEST_CA_URL}/1.0/sign`)
    .setJti(randomUUID())
    .setIssuedAt((claims['iat'] as number | undefined) ?? now)
    .setNotBefore((claims['nbf'] as number | undefined) ?? now - 30)
    .setExpirationTime((claims['exp'] as number | undefined) ?? now + 300)
    .sign(await importJWK(key.key, 'ES256'));
}

async function strangerKey(): Promise<ProvisionerKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return { name: 'phoenix', kid: await calculateJwkThumbprint(await exportJWK(publicKey)), key: await exportJWK(privateKey) };
}

function tamper(token: string): string {
  const [h, p, s] = token.split('.') as [string, string, string];
  const sig = Buffer.from(s, 'base64url');
  sig[10] = (sig[10] ?? 0) ^ 0xff;
  return `${h}.${p}.${sig.toString('base64url')}`;
}

function widenSans(token: string): string {
  const [h, p, s] = token.split('.') as [string, string, string];
  const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
  payload['sans'] = [...SANS, 'evil.example'];
  return `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
}

test('one-time token verification', async (t) => {
  const now = Math.floor(Date.now() / 1000);
  const good = () => mintToken(ca.provisionerKey, { subject: URI, sans: SANS, caUrl: TEST_CA_URL });
  const reused = await good();
  await ca.authority.sign(csrPem, reused);
  const cases: Array<{ name: string; token: () => Promise<string>; csr?: () => Promise<string>; status: number; code?: string; message: RegExp }> = [
    { name: 'reused token', token: async () => reused, status: 401, code: 'PKI_TOKEN_REUSED', message: /already used/ },
    { name: 'expired token', token: () => customToken(ca.provisionerKey, { iat: now - 900, nbf: now - 900, exp: now - 120 }), status: 401, code: 'PKI_TOKEN_EXPIRED', message: /expired/ },
    { name: 'token not yet valid', token: () => customToken(ca.provisionerKey, { nbf: now + 600 }), status: 401, code: 'PKI_TOKEN_NOT_YET_VALID', message: /not valid yet/ },
    { name: 'unknown key id', token: async () => customToken(await strangerKey(), {}), status: 401, code: 'PKI_TOKEN_UNKNOWN_KEY', message: /belongs to no provisioner/ },
    { name: 'known kid, other key (forged)', token: async () => customToken({ ...(await strangerKey()), kid: ca.provisionerKey.kid }, {}), status: 401, code: 'PKI_TOKEN_SIGNATURE', message: /signature/ },
    { name: 'wrong issuer', token: () => customToken(ca.provisionerKey, { iss: 'someone-else' }), status: 401, code: 'PKI_TOKEN_ISSUER', message: /issuer.*phoenix/ },
    { name: 'audience of another host', token: () => mintToken(ca.provisionerKey, { subject: URI, sans: SANS, caUrl: 'https://ca.elsewhere.example:9000' }), status: 401, code: 'PKI_TOKEN_AUDIENCE', message: /audience/ },
    { name: 'audience of another path', token: () => customToken(ca.provisionerKey, { aud: `${TEST_CA_URL}/1.0/renew` }), status: 401, code: 'PKI_TOKEN_AUDIENCE', message: /audience/ },
    { name: 'tampered signature', token: async () => tamper(await good()), status: 401, code: 'PKI_TOKEN_SIGNATURE', message: /signature/ },
    { name: 'tampered claims (sans widened)', token: async () => widenSans(await good()), status: 401, code: 'PKI_TOKEN_SIGNATURE', message: /signature/ },
    { name: 'not a JWT', token: async () => 'hello', status: 401, code: 'PKI_TOKEN_INVALID', message: /not a JWS/ },
    { name: 'HS256 instead of ES256', token: async () => new SignJWT({ sans: SANS }).setProtectedHeader({ alg: 'HS256', kid: ca.provisionerKey.kid }).setIssuer('phoenix').setSubject(URI).setAudience(`${TEST_CA_URL}/1.0/sign`).setJti('x').setNotBefore(now).setExpirationTime(now + 60).sign(new Uint8Array(32)), status: 401, message: /ES256|signature/ },
    {
      name: 'SAN outside the token',
      token: () => mintToken(ca.provisionerKey, { subject: URI, sans: ['localhost', URI], caUrl: TEST_CA_URL }),
      status: 403,
      code: 'PKI_SAN_NOT_ALLOWED',
      message: /IP:127\.0\.0\.1.*token does not allow/,
    },
    {
      name: 'SPIFFE URI of another identity',
      token: () => mintToken(ca.provisionerKey, { subject: URI, sans: SANS, caUrl: TEST_CA_URL }),
      csr: () => createCsrPem(keyPem, { commonName: URI, dnsNames: ['localhost'], uris: ['spiffe://phoenix.test/gateway/g1'] }),
      status: 403,
      code: 'PKI_SAN_NOT_ALLOWED',
      message: /URI:spiffe:\/\/phoenix\.test\/gateway\/g1/,
    },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => {
      const token = await c.token();
      const csr = c.csr ? await c.csr() : csrPem;
      await assert.rejects(ca.authority.sign(csr, token), (err: unknown) => {
        assert.ok(err instanceof PhoenixError, `expected a PhoenixError, got ${String(err)}`);
        assert.equal(err.status, c.status, err.message);
        if (c.code) assert.equal(err.code, c.code, err.message);
        assert.match(err.message, c.message);
        return true;
      });
    });
  }
  await t.test('a good token is accepted once and the certificate is recorded', async () => {
    const token = await good();
    const signed = await ca.authority.sign(csrPem, token);
    const leaf = new X509Certificate(signed.crt);
    assert.ok(leaf.subjectAltName?.includes(`URI:${URI}`));
    const record = ca.store.certificates.find(leaf.serialNumber);
    assert.equal(record?.how, 'sign');
    assert.equal(record?.provisioner, 'phoenix');
    assert.deepEqual(record?.sans.sort(), ['DNS:localhost', 'IP:127.0.0.1', `URI:${URI}`].sort());
    await assert.rejects(ca.authority.sign(csrPem, token), /already used/);
  });
  await t.test('a token refused for its CSR is not burnt: it works with an acceptable CSR', async () => {
    const token = await mintToken(ca.provisionerKey, { subject: URI, sans: SANS, caUrl: TEST_CA_URL });
    const wrongCsr = await createCsrPem(keyPem, { commonName: URI, dnsNames: ['evil.example'], uris: [URI] });
    await assert.rejects(ca.authority.sign(wrongCsr, token), /DNS:evil\.example/);
    await ca.authority.sign(csrPem, token);
  });
});

test('issued certificates: leaf profile, chain and a fresh random serial each time', async () => {
  const signed1 = await ca.authority.sign(csrPem, await mintToken(ca.provisionerKey, { subject: URI, sans: SANS, caUrl: TEST_CA_URL }));
  const signed2 = await ca.authority.sign(csrPem, await mintToken(ca.provisionerKey, { subject: URI, sans: SANS, caUrl: TEST_CA_URL }));
  const leaf = new X509Certificate(signed1.crt);
  const intermediate = new X509Certificate(signed1.ca);
  const root = new X509Certificate(ca.authority.rootPem);
  assert.equal(signed1.certChain.length, 2);
  assert.equal(signed1.certChain[1], signed1.ca);
  assert.ok(leaf.checkIssued(intermediate) && leaf.verify(intermediate.publicKey));
  assert.ok(intermediate.checkIssued(root) && intermediate.verify(root.publicKey));
  assert.equal(leaf.ca, false);
  const parsed = new x509.X509Certificate(signed1.crt);
  const bc = parsed.getExtension(x509.BasicConstraintsExtension);
  assert.ok(bc && bc.ca === false && bc.critical, 'basicConstraints CA:false, critical');
  const ku = parsed.getExtension(x509.KeyUsagesExtension);
  assert.ok(ku && ku.usages === x509.KeyUsageFlags.digitalSignature && ku.critical, 'keyUsage digitalSignature only');
  const issuerSki = new x509.X509Certificate(signed1.ca).getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
  assert.ok(parsed.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId, 'SKI present');
  assert.equal(parsed.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId, issuerSki, 'AKI names the intermediate');
  assert.match(leaf.subject, /CN=spiffe:\/\/phoenix\.test\/router\/r1/);
  assert.deepEqual(leaf.keyUsage?.sort(), ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
  assert.notEqual(leaf.serialNumber, new X509Certificate(signed2.crt).serialNumber);
  assert.ok(leaf.serialNumber.replace(/^0+/, '').length >= 31, `serial ${leaf.serialNumber} carries ~128 bits`);
  const lifetime = new Date(leaf.validTo).getTime() - Date.now();
  assert.ok(Math.abs(lifetime - 3_600_000) < 3000, `lifetime ${lifetime} ms is the configured default`);
});

test('renewal: same key and names, new serial; unknown or foreign certificates are refused', async () => {
  const signed = await ca.authority.sign(csrPem, await mintToken(ca.provisionerKey, { subject: URI, sans: SANS, caUrl: TEST_CA_URL }));
  const renewed = await ca.authority.renew(signed.crt);
  const a = new X509Certificate(signed.crt);
  const b = new X509Certificate(renewed.crt);
  assert.notEqual(a.serialNumber, b.serialNumber);
  assert.ok(a.publicKey.equals(b.publicKey));
  assert.equal(a.subjectAltName, b.subjectAltName);
  assert.equal(ca.store.certificates.find(b.serialNumber)?.how, 'renew');
  assert.equal(ca.store.certificates.find(b.serialNumber)?.renewedFrom, a.serialNumber);

  const other = await createTestAuthority();
  try {
    const foreign = await other.authority.sign(csrPem, await mintToken(other.provisionerKey, { subject: URI, sans: SANS, caUrl: TEST_CA_URL }));
    await assert.rejects(ca.authority.renew(foreign.crt), (err: PhoenixError) => err.status === 401 && /not issued by this CA/.test(err.message));
  } finally {
    await other.close();
  }
  await assert.rejects(ca.authority.renew(signed.crt, new Date(Date.now() + 2 * 3_600_000)), (err: PhoenixError) => err.code === 'PKI_RENEW_EXPIRED' && /expired at/.test(err.message));
});
