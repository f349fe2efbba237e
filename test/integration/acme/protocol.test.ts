import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { createCsrPem, generatePrivateKeyPem } from '../../../src/core/tls/keys.js';
import { eventually } from '../../helpers/eventually.js';
import { startAcmeCa, type AcmeCa } from './support.js';
import { dnsTxtValue, newKey, RawAcme, type AcmeResponse } from './raw-client.js';
import { TxtDnsServer } from './dns-server.js';

const ERR = 'urn:ietf:params:acme:error:';

/** An http-01 responder on the port the CA validates on. */
async function responder(port: number): Promise<{ tokens: Map<string, string>; server: Server }> {
  const tokens = new Map<string, string>();
  const server = createServer((req, res) => {
    const token = req.url?.split('/').pop() ?? '';
    const value = tokens.get(token);
    res.writeHead(value ? 200 : 404).end(value ?? 'no');
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { tokens, server };
}

async function csrB64(names: { dnsNames?: string[]; ipAddresses?: string[]; uris?: string[] }, cn = names.dnsNames?.[0] ?? 'x', keyPem = generatePrivateKeyPem()): Promise<string> {
  const pem = await createCsrPem(keyPem, { commonName: cn, ...names });
  return Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64').toString('base64url');
}

/** Places an order for localhost and answers its http-01 challenge; returns the ready order. */
async function readyOrder(client: RawAcme, tokens: Map<string, string>, identifiers = [{ type: 'dns', value: 'localhost' }]): Promise<{ url: string; order: Record<string, unknown> }> {
  const created = await client.signedPost(client.url('newOrder'), { identifiers });
  assert.equal(created.status, 201, created.text);
  const url = String(created.headers['location']);
  for (const authzUrl of created.json['authorizations'] as string[]) {
    const authz = await client.signedPost(authzUrl, undefined);
    const challenge = (authz.json['challenges'] as Array<{ type: string; url: string; token: string }>).find((c) => c.type === 'http-01');
    assert.ok(challenge);
    tokens.set(challenge.token, await client.keyAuthorization(challenge.token));
    assert.equal((await client.signedPost(challenge.url, {})).status, 200);
  }
  const order = await eventually(async () => {
    const o = await client.signedPost(url, undefined);
    assert.equal(o.json['status'], 'ready', o.text);
    return o.json;
  }, 10_000);
  return { url, order };
}

async function issuedCount(acme: AcmeCa): Promise<number> {
  const metrics = (await acme.ca.raw('GET', '/metrics')).text;
  return Number(/^phoenix_ca_certificates_issued_total\{provisioner="acme"\} (\d+)/m.exec(metrics)?.[1] ?? 0);
}

function problem(res: AcmeResponse, type: string, status?: number): void {
  assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8', res.text);
  assert.equal(res.json['type'], `${ERR}${type}`, res.text);
  if (status !== undefined) assert.equal(res.status, status, res.text);
  assert.ok(res.headers['replay-nonce'], 'errors carry a fresh nonce too');
}

test('ACME negatives: replayed nonce, tampered JWS, wrong url, unknown account, unsupported alg — each refused with its error type, nothing issued', async () => {
  const acme = await startAcmeCa();
  const client = await RawAcme.create(acme.directory, acme.ca.handle.rootPem);
  try {
    const body = await client.sign(client.url('newAccount'), { termsOfServiceAgreed: true }, { useJwk: true });
    assert.equal((await client.post(client.url('newAccount'), body)).status, 201);
    problem(await client.post(client.url('newAccount'), body), 'badNonce', 400);
    problem(await client.signedPost(client.url('newAccount'), {}, { useJwk: true, nonce: 'made-up-nonce' }), 'badNonce', 400);
    await client.newAccount();

    const signed = JSON.parse(await client.sign(client.url('newOrder'), { identifiers: [{ type: 'dns', value: 'localhost' }] })) as Record<string, string>;
    signed['payload'] = Buffer.from(JSON.stringify({ identifiers: [{ type: 'dns', value: 'evil.example' }] })).toString('base64url');
    problem(await client.post(client.url('newOrder'), JSON.stringify(signed)), 'malformed', 400);
    assert.equal((await client.signedPost(`${client.kid}/orders`, undefined)).json['orders']?.toString(), '', 'the tampered order was not created');

    problem(await client.signedPost(client.url('newOrder'), { identifiers: [] }, { extraHeader: { url: client.url('newAccount') } }), 'unauthorized', 401);
    const stranger = await RawAcme.create(acme.directory, acme.ca.handle.rootPem);
    stranger.kid = `${String(client.kid).replace(/account\/.*/, 'account/')}nosuchaccount`;
    problem(await stranger.signedPost(stranger.url('newOrder'), { identifiers: [{ type: 'dns', value: 'localhost' }] }), 'accountDoesNotExist', 400);
    problem(await client.signedPost(client.url('newOrder'), { identifiers: [{ type: 'dns', value: 'localhost' }] }, { alg: 'HS256' as never, key: new Uint8Array(32).fill(7) as never }), 'badSignatureAlgorithm', 400);
    problem(await client.signedPost(client.url('newOrder'), { identifiers: [{ type: 'email', value: 'a@b.c' }] }), 'unsupportedIdentifier', 400);
    problem(await client.post(client.url('newOrder'), '{"not":"a jws"}'), 'malformed', 400);
    problem(await client.post(`${acme.directory.replace('/acme/acme/', '/acme/nope/')}`, '{}'), 'malformed', 404);
    await stranger.close();
    assert.equal(await issuedCount(acme), 0, 'nothing was issued');
  } finally {
    await client.close();
    await acme.ca.close();
  }
});

test('ES256, RS256 and EdDSA account keys; lookup by key; key change; deactivation', async () => {
  const acme = await startAcmeCa();
  try {
    for (const alg of ['ES256', 'RS256', 'EdDSA'] as const) {
      const client = await RawAcme.create(acme.directory, acme.ca.handle.rootPem, alg);
      problem(await client.signedPost(client.url('newAccount'), { onlyReturnExisting: true }, { useJwk: true }), 'accountDoesNotExist', 400);
      const created = await client.newAccount({ contact: ['mailto:ops@example.com'] });
      assert.equal(created.status, 201, `${alg}: ${created.text}`);
      const again = await client.signedPost(client.url('newAccount'), { onlyReturnExisting: true }, { useJwk: true });
      assert.equal(again.status, 200);
      assert.equal(again.headers['location'], client.kid, `${alg}: lookup by key finds the same account`);
      await client.close();
    }
    const client = await RawAcme.create(acme.directory, acme.ca.handle.rootPem);
    await client.newAccount();
    const next = await newKey('ES256');
    const inner = await client.sign(client.url('keyChange'), { account: client.kid, oldKey: client.jwk }, { useJwk: true, key: next.key, jwk: next.jwk, nonce: undefined as never });
    const innerJws = JSON.parse(inner) as Record<string, string>;
    const header = JSON.parse(Buffer.from(innerJws['protected'] as string, 'base64url').toString()) as Record<string, unknown>;
    delete header['nonce'];
    const { FlattenedSign } = await import('jose');
    const cleanInner = await new FlattenedSign(new TextEncoder().encode(JSON.stringify({ account: client.kid, oldKey: client.jwk }))).setProtectedHeader(header as never).sign(next.key);
    const changed = await client.signedPost(client.url('keyChange'), cleanInner);
    assert.equal(changed.status, 200, changed.text);
    problem(await client.signedPost(client.url('newOrder'), { identifiers: [{ type: 'dns', value: 'localhost' }] }), 'malformed', 400);
    client.key = next.key;
    client.jwk = next.jwk;
    assert.equal((await client.signedPost(client.url('newOrder'), { identifiers: [{ type: 'dns', value: 'localhost' }] })).status, 201, 'the new key works');
    const deactivated = await client.signedPost(String(client.kid), { status: 'deactivated' });
    assert.equal(deactivated.json['status'], 'deactivated');
    problem(await client.signedPost(client.url('newOrder'), { identifiers: [{ type: 'dns', value: 'localhost' }] }), 'unauthorized', 401);
    await client.close();
  } finally {
    await acme.ca.close();
  }
});

test('finalize: not ready, CSR names outside the order or the policy, concurrent finalize — one certificate, right errors', async () => {
  const acme = await startAcmeCa({}, { policy: { allow: { dns: ['localhost', '*.phoenix.test'], ips: ['127.0.0.0/8'] } } });
  const http = await responder(acme.ports.http01);
  const client = await RawAcme.create(acme.directory, acme.ca.handle.rootPem);
  try {
    await client.newAccount();
    problem(await client.signedPost(client.url('newOrder'), { identifiers: [{ type: 'dns', value: 'example.com' }] }), 'rejectedIdentifier', 400);
    const pending = await client.signedPost(client.url('newOrder'), { identifiers: [{ type: 'dns', value: 'localhost' }] });
    problem(await client.signedPost(String(pending.json['finalize']), { csr: await csrB64({ dnsNames: ['localhost'] }) }), 'orderNotReady', 403);

    const { order } = await readyOrder(client, http.tokens);
    problem(await client.signedPost(String(order['finalize']), { csr: await csrB64({ dnsNames: ['localhost', 'other.phoenix.test'] }) }), 'badCSR', 400);
    problem(await client.signedPost(String(order['finalize']), { csr: await csrB64({ dnsNames: ['localhost'], uris: ['spiffe://phoenix.test/router/r1'] }) }), 'badCSR', 400);
    problem(await client.signedPost(String(order['finalize']), { csr: 'bm90LWEtY3Ny' }), 'badCSR', 400);
    assert.equal(await issuedCount(acme), 0, 'nothing issued for refused CSRs');

    const certKey = generatePrivateKeyPem();
    const csr = await csrB64({ dnsNames: ['localhost'] }, 'localhost', certKey);
    const results = await Promise.all([1, 2, 3].map(async () => client.signedPost(String(order['finalize']), { csr })));
    const ok = results.filter((r) => r.status === 200);
    assert.equal(ok.length, 1, results.map((r) => r.text).join('\n'));
    for (const r of results.filter((x) => x.status !== 200)) problem(r, 'orderNotReady', 403);
    const done = await client.signedPost(String(ok[0]?.headers['location']), undefined);
    assert.equal(done.json['status'], 'valid');
    const chain = await client.signedPost(String(done.json['certificate']), undefined);
    assert.equal(chain.headers['content-type'], 'application/pem-certificate-chain');
    assert.equal(chain.text.match(/BEGIN CERTIFICATE/g)?.length, 2, 'leaf and intermediate');
    assert.equal(await issuedCount(acme), 1, 'exactly one certificate for three racing finalizes');

    // revokeCert signed by the certificate's own key (no account), then again: alreadyRevoked.
    const der = Buffer.from((chain.text.split('-----END CERTIFICATE-----')[0] as string).replace(/-----BEGIN CERTIFICATE-----|\s/g, ''), 'base64').toString('base64url');
    const { createPrivateKey } = await import('node:crypto');
    const { exportJWK } = await import('jose');
    const certJwk = await exportJWK(createPublicKey(certKey));
    const byKey = { useJwk: true, key: createPrivateKey(certKey) as never, jwk: certJwk };
    const stranger = await newKey('ES256');
    problem(await client.signedPost(client.url('revokeCert'), { certificate: der }, { useJwk: true, key: stranger.key, jwk: stranger.jwk }), 'unauthorized', 401);
    problem(await client.signedPost(client.url('revokeCert'), { certificate: der, reason: 7 }, byKey), 'badRevocationReason', 400);
    assert.equal((await client.signedPost(client.url('revokeCert'), { certificate: der, reason: 1 }, byKey)).status, 200);
    problem(await client.signedPost(client.url('revokeCert'), { certificate: der }), 'alreadyRevoked', 400);

    const parallel = await Promise.all([1, 2, 3, 4].map(() => readyOrder(client, http.tokens, [{ type: 'ip', value: '127.0.0.1' }])));
    const finals = await Promise.all(parallel.map(async (p) => client.signedPost(String(p.order['finalize']), { csr: await csrB64({ ipAddresses: ['127.0.0.1'] }, '127.0.0.1') })));
    assert.deepEqual(finals.map((f) => f.json['status']), ['valid', 'valid', 'valid', 'valid'], 'concurrent orders of one account each complete');
    assert.equal(await issuedCount(acme), 5);
  } finally {
    await client.close();
    await new Promise((r) => http.server.close(r));
    await acme.ca.close();
  }
});

test('http-01 with a wrong answer invalidates the order; dns-01 validates through the configured resolver', async () => {
  const dns = await TxtDnsServer.start();
  const acme = await startAcmeCa({}, { dnsResolvers: [dns.address] });
  const http = await responder(acme.ports.http01);
  const client = await RawAcme.create(acme.directory, acme.ca.handle.rootPem);
  try {
    await client.newAccount();
    const bad = await client.signedPost(client.url('newOrder'), { identifiers: [{ type: 'dns', value: 'localhost' }] });
    const authz = await client.signedPost((bad.json['authorizations'] as string[])[0] as string, undefined);
    const challenge = (authz.json['challenges'] as Array<{ type: string; url: string; token: string }>).find((c) => c.type === 'http-01');
    http.tokens.set(challenge?.token ?? '', 'wrong');
    await client.signedPost(challenge?.url ?? '', {});
    const failed = await eventually(async () => {
      const o = await client.signedPost(String(bad.headers['location']), undefined);
      assert.equal(o.json['status'], 'invalid');
      return o.json;
    });
    assert.equal((failed['error'] as { type: string }).type, `${ERR}incorrectResponse`);

    const order = await client.signedPost(client.url('newOrder'), { identifiers: [{ type: 'dns', value: '*.phoenix.test' }] });
    const wild = await client.signedPost((order.json['authorizations'] as string[])[0] as string, undefined);
    assert.equal(wild.json['wildcard'], true);
    const types = (wild.json['challenges'] as Array<{ type: string }>).map((c) => c.type);
    assert.deepEqual(types, ['dns-01'], 'a wildcard can only be proven with dns-01');
    const dnsChallenge = (wild.json['challenges'] as Array<{ url: string; token: string }>)[0] as { url: string; token: string };
    dns.records.set('_acme-challenge.phoenix.test', [dnsTxtValue(await client.keyAuthorization(dnsChallenge.token))]);
    await client.signedPost(dnsChallenge.url, {});
    await eventually(async () => assert.equal((await client.signedPost(String(order.headers['location']), undefined)).json['status'], 'ready'));
    const final = await client.signedPost(String(order.json['finalize']), { csr: await csrB64({ dnsNames: ['*.phoenix.test'] }) });
    assert.equal(final.json['status'], 'valid', final.text);
  } finally {
    await client.close();
    await dns.close();
    await new Promise((r) => http.server.close(r));
    await acme.ca.close();
  }
});
