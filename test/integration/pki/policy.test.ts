import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCsrPem, generatePrivateKeyPem } from '../../../src/core/tls/keys.js';
import { CaUnderTest } from './support.js';

/** Done-when 3: a CSR (with a token that grants the names) asking for names outside the provisioner's policy is refused; nothing is issued. */
test('the sign API refuses names outside the provisioner policy even when the token grants them', async () => {
  const ca = await CaUnderTest.start({ policies: { phoenix: { allow: { dns: ['localhost'], uris: ['spiffe://phoenix.test/router/*'] }, deny: { dns: ['forbidden.localhost'] } } } });
  try {
    const sign = async (sans: { dnsNames?: string[]; uris?: string[] }) => {
      const all = [...(sans.dnsNames ?? []), ...(sans.uris ?? [])];
      const csr = await createCsrPem(generatePrivateKeyPem(), { commonName: all[0] as string, ...sans });
      return ca.raw('POST', '/1.0/sign', { body: JSON.stringify({ csr, ott: await ca.token(all[0] as string, all) }) });
    };
    const refused = [
      await sign({ dnsNames: ['example.com'] }),
      await sign({ dnsNames: ['localhost'], uris: ['spiffe://phoenix.test/gateway/g1'] }),
      await sign({ dnsNames: ['forbidden.localhost'] }),
    ];
    for (const r of refused) {
      assert.equal(r.status, 403, r.text);
      assert.match((r.json as { message: string }).message, /by the name policy of provisioner "phoenix"/);
    }
    const metrics = (await ca.raw('GET', '/metrics')).text;
    assert.doesNotMatch(metrics, /phoenix_ca_certificates_issued_total\{provisioner="phoenix"\}/, 'nothing was issued');
    assert.match(metrics, /phoenix_ca_requests_failed_total\{route="\/1.0\/sign",code="PKI_POLICY_DENIED"\} 3/);
    assert.equal((await sign({ dnsNames: ['localhost'], uris: ['spiffe://phoenix.test/router/r1'] })).status, 201, 'names inside the policy are issued');
  } finally {
    await ca.close();
  }
});

/** Host enrollment tokens (provisioner `enroll`) make agent identities only, by default policy. */
test('host enrollment tokens issue agent identities and nothing else', async () => {
  const ca = await CaUnderTest.start();
  try {
    const { caToken } = await import('../../../src/pki/commands.js');
    const sign = async (uri: string) => {
      const sans = ['host2.example', uri];
      const csr = await createCsrPem(generatePrivateKeyPem(), { commonName: uri, dnsNames: ['host2.example'], uris: [uri] });
      const ott = await caToken({ dataDir: ca.dir + '/ca', provisioner: 'enroll', subject: uri, sans, caUrl: ca.url, ttlSeconds: 86_400 });
      return ca.raw('POST', '/1.0/sign', { body: JSON.stringify({ csr, ott }) });
    };
    const agent = await sign('spiffe://phoenix.test/agent/host2');
    assert.equal(agent.status, 201, agent.text);
    const router = await sign('spiffe://phoenix.test/router/r9');
    assert.equal(router.status, 403, router.text);
    assert.match((router.json as { message: string }).message, /provisioner "enroll"/);
    const metrics = (await ca.raw('GET', '/metrics')).text;
    assert.match(metrics, /phoenix_ca_certificates_issued_total\{provisioner="enroll"\} 1\n/);
  } finally {
    await ca.close();
  }
});
