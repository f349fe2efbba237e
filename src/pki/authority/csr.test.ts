import { test } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { x509 } from '../../core/tls/x509.js';
import { createCsrPem, generatePrivateKeyPem, toCryptoKeyPair } from '../../core/tls/keys.js';
import { PhoenixError } from '../../core/errors.js';
import { checkCsrAllowed, readCsr } from './csr.js';
import { parseSan } from './sans.js';
import type { SignOptions } from '../provisioners/provisioner.js';

const URI = 'spiffe://phoenix.test/vector/v1';

function grant(...sans: string[]): SignOptions {
  return { provisioner: 'phoenix', subject: URI, allowedSans: sans.map(parseSan) };
}

async function csrWithNames(names: x509.JsonGeneralName[], cn = URI): Promise<string> {
  const keys = await toCryptoKeyPair(generatePrivateKeyPem());
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${cn}`,
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: names.length ? [new x509.SubjectAlternativeNameExtension(names)] : [],
  });
  return csr.toString('pem');
}

function tamperCsr(pem: string): string {
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const at = der.indexOf(Buffer.from('vector/v1'));
  assert.ok(at > 0);
  der[at] = 'w'.charCodeAt(0); // CN now reads …/wector/v1; the signature no longer matches
  return `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE REQUEST-----\n`;
}

async function expectError(promise: Promise<unknown> | (() => unknown), status: number, code: string, message: RegExp): Promise<void> {
  const run = typeof promise === 'function' ? async () => promise() : () => promise;
  await assert.rejects(run(), (err: unknown) => {
    assert.ok(err instanceof PhoenixError, String(err));
    assert.equal(err.status, status, err.message);
    assert.equal(err.code, code, err.message);
    assert.match(err.message, message);
    return true;
  });
}

test('readCsr extracts the key, common name and SANs of a well-formed request', async () => {
  const pem = await createCsrPem(generatePrivateKeyPem(), { commonName: URI, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1', '::1'], uris: [URI] });
  const csr = await readCsr(pem);
  assert.equal(csr.commonName, URI);
  assert.deepEqual(
    csr.sans.map((s) => `${s.type}:${s.value}`).sort(),
    ['dns:localhost', 'ip:127.0.0.1', `uri:${URI}`, 'ip:::1'].sort(),
  );
  assert.doesNotThrow(() => checkCsrAllowed(csr, grant('LOCALHOST', '127.0.0.1', '0:0:0:0:0:0:0:1', URI)), 'DNS compares case-insensitively, IPv6 in canonical form');
});

test('malformed, altered or unacceptable CSRs are refused with a clear 400', async (t) => {
  const good = await createCsrPem(generatePrivateKeyPem(), { commonName: URI, uris: [URI] });
  const cases: Array<{ name: string; pem: () => Promise<string> | string; code: string; message: RegExp }> = [
    { name: 'not PEM at all', pem: () => 'hello', code: 'PKI_CSR_INVALID', message: /not a PEM PKCS#10/ },
    { name: 'a certificate instead of a CSR', pem: () => '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n', code: 'PKI_CSR_INVALID', message: /PKCS#10/ },
    { name: 'truncated', pem: () => good.slice(0, 200) + '\n-----END CERTIFICATE REQUEST-----\n', code: 'PKI_CSR_INVALID', message: /PKCS#10/ },
    { name: 'altered after signing', pem: () => tamperCsr(good), code: 'PKI_CSR_SIGNATURE', message: /signature does not verify/ },
    { name: 'email SAN', pem: () => csrWithNames([{ type: 'email', value: 'a@b.c' }]), code: 'PKI_CSR_UNSUPPORTED_SAN', message: /type "email"/ },
    {
      name: 'RSA 1024 key',
      pem: async () => {
        const alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]) };
        const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
        const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: `CN=${URI}`, keys: keys as never, signingAlgorithm: alg });
        return csr.toString('pem');
      },
      code: 'PKI_CSR_KEY',
      message: /RSA.*1024-bit.*not accepted/,
    },
  ];
  for (const c of cases) {
    await t.test(c.name, () => expectError(Promise.resolve(c.pem()).then(readCsr), 400, c.code, c.message));
  }
});

test('the CSR must stay within what the token grants', async (t) => {
  const cases: Array<{ name: string; names: x509.JsonGeneralName[]; cn?: string; grant: SignOptions; status?: number; code?: string; message?: RegExp }> = [
    { name: 'all SANs granted', names: [{ type: 'dns', value: 'localhost' }, { type: 'url', value: URI }], grant: grant('localhost', URI, '10.0.0.1') },
    { name: 'a DNS name not granted', names: [{ type: 'dns', value: 'db.internal' }, { type: 'url', value: URI }], grant: grant('localhost', URI), status: 403, code: 'PKI_SAN_NOT_ALLOWED', message: /DNS:db\.internal/ },
    { name: 'an IP not granted', names: [{ type: 'ip', value: '10.1.1.1' }], grant: grant('10.1.1.2', URI), status: 403, code: 'PKI_SAN_NOT_ALLOWED', message: /IP:10\.1\.1\.1/ },
    { name: 'a URI not granted', names: [{ type: 'url', value: 'spiffe://phoenix.test/hub/h1' }], grant: grant(URI), status: 403, code: 'PKI_SAN_NOT_ALLOWED', message: /URI:spiffe:\/\/phoenix\.test\/hub\/h1/ },
    { name: 'a DNS grant does not cover the same text as URI', names: [{ type: 'url', value: 'localhost:1' }], grant: grant('localhost'), status: 403, code: 'PKI_SAN_NOT_ALLOWED', message: /URI:localhost:1/ },
    { name: 'no SANs at all', names: [], grant: grant(URI), status: 400, code: 'PKI_CSR_NO_SANS', message: /no subject alternative names/ },
    { name: 'common name neither subject nor SAN', names: [{ type: 'url', value: URI }], cn: 'admin', grant: grant(URI), status: 403, code: 'PKI_CN_NOT_ALLOWED', message: /common name "admin"/ },
    { name: 'common name may be a granted DNS name', names: [{ type: 'dns', value: 'localhost' }], cn: 'localhost', grant: grant('localhost') },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => {
      const csr = await readCsr(await csrWithNames(c.names, c.cn));
      if (c.status === undefined) {
        checkCsrAllowed(csr, c.grant);
        return;
      }
      await expectError(() => checkCsrAllowed(csr, c.grant), c.status, c.code ?? '', c.message ?? /./);
    });
  }
});
