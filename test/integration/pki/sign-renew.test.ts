import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createServer as createTlsServer, connect } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { CaRequestError, fetchRoots, renewCertificate, signCertificate } from '../../../src/core/ca-client/index.js';
import { createCsrPem, generatePrivateKeyPem } from '../../../src/core/tls/keys.js';
import { identityOfCertificate } from '../../../src/core/tls/spiffe.js';
import { TestCa } from '../../fixtures/test-ca.js';
import { CaUnderTest, TRUST_DOMAIN } from './support.js';

const URI = `spiffe://${TRUST_DOMAIN}/vector/v1`;
const SANS = ['localhost', '127.0.0.1', URI];

let ca: CaUnderTest;
before(async () => {
  ca = await CaUnderTest.start({ lifetime: { default: '10m', min: '1s', max: '1h' } });
});
after(() => ca.close());

async function newRequest(): Promise<{ keyPem: string; csrPem: string }> {
  const keyPem = generatePrivateKeyPem();
  return { keyPem, csrPem: await createCsrPem(keyPem, { commonName: URI, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], uris: [URI] }) };
}

function refusal(status: number, message: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof CaRequestError, String(err));
    assert.equal(err.status, status, err.message);
    assert.match(err.message, message);
    return true;
  };
}

/** True when a TLS client trusting only `rootPem` accepts a server presenting `chainPem`. */
async function tlsAccepts(keyPem: string, chainPem: string, rootPem: string): Promise<boolean> {
  const server = createTlsServer({ key: keyPem, cert: chainPem }, (s) => s.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    return await new Promise<boolean>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, servername: 'localhost', ca: rootPem }, () => {
        resolve(socket.authorized);
        socket.destroy();
      });
      socket.on('error', reject);
    });
  } finally {
    server.close();
  }
}

test('sign with a one-time token: the chain verifies to roots.pem, carries the SPIFFE URI and the configured lifetime', async () => {
  const roots = await fetchRoots(ca.endpoint);
  assert.equal(roots, ca.handle.rootPem);
  const { keyPem, csrPem } = await newRequest();
  const signed = await signCertificate(ca.endpoint, csrPem, await ca.token(URI, SANS));

  const root = new X509Certificate(roots);
  const intermediate = new X509Certificate(signed.ca);
  const leaf = new X509Certificate(signed.crt);
  assert.equal(signed.certChain.length, 2);
  assert.equal(new X509Certificate(signed.certChain[0] as string).serialNumber, leaf.serialNumber);
  assert.equal(new X509Certificate(signed.certChain[1] as string).serialNumber, intermediate.serialNumber);
  assert.ok(leaf.checkIssued(intermediate) && leaf.verify(intermediate.publicKey), 'leaf signed by the intermediate');
  assert.ok(intermediate.checkIssued(root) && intermediate.verify(root.publicKey), 'intermediate signed by the root');
  assert.ok(root.checkIssued(root) && root.verify(root.publicKey), 'root is self-signed');
  assert.equal(await tlsAccepts(keyPem, signed.certChain.join(''), roots), true, 'a TLS client trusting roots.pem accepts the chain');

  assert.equal(identityOfCertificate(leaf)?.uri, URI);
  assert.match(leaf.subjectAltName ?? '', /DNS:localhost/);
  assert.match(leaf.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
  const lifetime = new Date(leaf.validTo).getTime() - Date.now();
  assert.ok(Math.abs(lifetime - 600_000) < 3000, `lifetime ${lifetime} ms is the configured 10m`);
  assert.ok(Date.now() - new Date(leaf.validFrom).getTime() <= 7000, 'notBefore only slightly backdated');
});

test('a token is accepted once, also after the CA restarts', async () => {
  const { csrPem } = await newRequest();
  const token = await ca.token(URI, SANS);
  await signCertificate(ca.endpoint, csrPem, token);
  await assert.rejects(signCertificate(ca.endpoint, csrPem, token), refusal(401, /already used/));
  const rootBefore = ca.handle.rootPem;
  await ca.restart();
  assert.equal(ca.handle.rootPem, rootBefore, 'restart keeps the same root');
  await assert.rejects(signCertificate(ca.endpoint, csrPem, token), refusal(401, /already used/));
  await signCertificate(ca.endpoint, csrPem, await ca.token(URI, SANS));
});

test('racing requests with one token: exactly one certificate is issued', async () => {
  const { csrPem } = await newRequest();
  const token = await ca.token(URI, SANS);
  const results = await Promise.allSettled(Array.from({ length: 6 }, () => signCertificate(ca.endpoint, csrPem, token)));
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  for (const r of results) if (r.status === 'rejected') refusal(401, /already used/)(r.reason);
});

test('a token does not cover SANs it does not list', async () => {
  const { csrPem } = await newRequest();
  await assert.rejects(signCertificate(ca.endpoint, csrPem, await ca.token(URI, ['localhost', URI])), refusal(403, /IP:127\.0\.0\.1.*token does not allow/));
});

test('renew over mTLS: new serial, same key and names, fresh lifetime; renewals chain', async () => {
  const { keyPem, csrPem } = await newRequest();
  const first = await signCertificate(ca.endpoint, csrPem, await ca.token(URI, SANS));
  const second = await renewCertificate(ca.endpoint, keyPem, first.certChain.join(''));
  const third = await renewCertificate(ca.endpoint, keyPem, second.certChain.join(''));
  const [a, b, c] = [first, second, third].map((s) => new X509Certificate(s.crt)) as [X509Certificate, X509Certificate, X509Certificate];
  assert.equal(new Set([a.serialNumber, b.serialNumber, c.serialNumber]).size, 3);
  assert.ok(a.publicKey.equals(b.publicKey) && b.publicKey.equals(c.publicKey), 'same key');
  assert.equal(b.subjectAltName, a.subjectAltName);
  assert.equal(b.subject, a.subject);
  assert.ok(new Date(c.validTo).getTime() >= new Date(a.validTo).getTime());
  assert.ok(Math.abs(new Date(c.validTo).getTime() - Date.now() - 600_000) < 3000, 'fresh 10m lifetime');
});

test('renew is refused without a certificate, with an expired one, and with one from another CA', async () => {
  const none = await ca.raw('POST', '/1.0/renew');
  assert.equal(none.status, 401);
  assert.deepEqual(Object.keys(none.json as object).sort(), ['message', 'status']);
  assert.match((none.json as { message: string }).message, /client certificate/);

  // A 1-second certificate (the sign request may ask for a shorter life), renewed after it expired.
  const { keyPem, csrPem } = await newRequest();
  const res = await ca.raw('POST', '/1.0/sign', { body: JSON.stringify({ csr: csrPem, ott: await ca.token(URI, SANS), notAfter: '1s' }) });
  assert.equal(res.status, 201, res.text);
  const short = res.json as { crt: string; certChain: string[] };
  const notAfter = new Date(new X509Certificate(short.crt).validTo).getTime();
  assert.ok(notAfter - Date.now() <= 2000, 'lifetime clamped to the 1s minimum (rounded up to a whole second)');
  await new Promise((r) => setTimeout(r, Math.max(0, notAfter - Date.now()) + 1100));
  await assert.rejects(renewCertificate(ca.endpoint, keyPem, short.certChain.join('')), refusal(401, /expired at .*cannot be renewed/));

  const stranger = await (await TestCa.create()).identity('vector', 'v1', TRUST_DOMAIN);
  await assert.rejects(renewCertificate(ca.endpoint, stranger.current.keyPem, stranger.current.chainPem), refusal(401, /does not verify to this CA's root/));
});

test('bad input gets a clear 4xx as {status, message} and the CA keeps serving', async (t) => {
  const { csrPem } = await newRequest();
  const token = await ca.token(URI, SANS);
  const cases: Array<{ name: string; method?: 'GET' | 'POST'; path?: string; body?: string; contentType?: string; status: number; message: RegExp }> = [
    { name: 'malformed JSON', body: '{"csr": ', status: 400, message: /JSON/ },
    { name: 'unknown field', body: JSON.stringify({ csr: csrPem, ott: token, extra: 1 }), status: 400, message: /extra/ },
    { name: 'missing ott', body: JSON.stringify({ csr: csrPem }), status: 400, message: /ott/ },
    { name: 'wrong types', body: JSON.stringify({ csr: 5, ott: [] }), status: 400, message: /csr.*ott|ott.*csr/s },
    { name: 'a JSON array', body: '[]', status: 400, message: /invalid sign request/ },
    { name: 'garbage CSR', body: JSON.stringify({ csr: 'garbage', ott: await ca.token(URI, SANS) }), status: 400, message: /PKCS#10/ },
    { name: 'garbage token', body: JSON.stringify({ csr: csrPem, ott: 'a.b.c' }), status: 401, message: /token/ },
    { name: 'notAfter in the past', body: JSON.stringify({ csr: csrPem, ott: token, notAfter: '2001-01-01T00:00:00Z' }), status: 400, message: /not in the future/ },
    { name: 'wrong content type', body: 'csr=x', contentType: 'application/x-www-form-urlencoded', status: 415, message: /content-type|Unsupported Media Type/i },
    { name: 'body too large', body: JSON.stringify({ csr: 'x'.repeat(300_000), ott: token }), status: 413, message: /too large/i },
    { name: 'renew with a body', path: '/1.0/renew', body: JSON.stringify({ crt: 'x' }), status: 400, message: /crt/ },
    { name: 'unknown endpoint', method: 'GET', path: '/1.0/nothing', status: 404, message: /no such endpoint/ },
    { name: 'unknown root fingerprint', method: 'GET', path: `/root/${'ab'.repeat(32)}`, status: 404, message: /no root certificate/ },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => {
      const res = await ca.raw(c.method ?? 'POST', c.path ?? '/1.0/sign', { ...(c.body !== undefined ? { body: c.body } : {}), ...(c.contentType ? { contentType: c.contentType } : {}) });
      assert.equal(res.status, c.status, res.text);
      assert.match(res.type, /application\/json/);
      const body = res.json as { status: number; message: string };
      assert.equal(body.status, c.status);
      assert.match(body.message, c.message);
    });
  }
  const health = await ca.raw('GET', '/health');
  assert.deepEqual(health.json, { status: 'ok' });
  // The token sent alongside rejected bodies was never consumed.
  await signCertificate(ca.endpoint, csrPem, token);
});

test('trust bootstrap, health and metrics endpoints', async () => {
  const pem = await ca.raw('GET', '/roots.pem');
  assert.equal(pem.text, ca.handle.rootPem);
  const fingerprint = new X509Certificate(ca.handle.rootPem).fingerprint256.replace(/:/g, '');
  for (const fp of [fingerprint.toLowerCase(), fingerprint]) {
    const res = await ca.raw('GET', `/root/${fp}`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { ca: ca.handle.rootPem });
  }
  assert.deepEqual((await ca.raw('GET', '/health')).json, { status: 'ok' });

  const { keyPem, csrPem } = await newRequest();
  const signed = await signCertificate(ca.endpoint, csrPem, await ca.token(URI, SANS));
  await renewCertificate(ca.endpoint, keyPem, signed.certChain.join(''));
  await ca.raw('POST', '/1.0/sign', { body: '{' });
  const metrics = (await ca.raw('GET', '/metrics')).text;
  const value = (re: RegExp) => Number(re.exec(metrics)?.[1] ?? 'NaN');
  assert.ok(value(/^phoenix_ca_certificates_issued_total\{provisioner="phoenix"\} (\d+)/m) >= 1, metrics);
  assert.ok(value(/^phoenix_ca_certificates_renewed_total\{provisioner="phoenix"\} (\d+)/m) >= 1, metrics);
  assert.ok(value(/^phoenix_ca_requests_failed_total\{route="\/1\.0\/sign",code="[A-Z_]+"\} (\d+)/m) >= 1, metrics);
});

test("the CA's listener presents a certificate it issued itself, with its SPIFFE identity", async () => {
  const { authorized, cert } = await ca.serverCertificate();
  assert.equal(authorized, true);
  assert.equal(identityOfCertificate(cert)?.uri, `spiffe://${TRUST_DOMAIN}/ca/ca1`);
  assert.match(cert.subjectaltname ?? '', /DNS:localhost/);
  assert.match(cert.subjectaltname ?? '', /IP Address:127\.0\.0\.1/);
  // A client that does not trust our root refuses the CA.
  const agent = new Agent();
  try {
    await assert.rejects(request(`${ca.url}/health`, { dispatcher: agent }), /certificate/);
  } finally {
    await agent.close();
  }
});
