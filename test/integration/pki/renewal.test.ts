import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { createLogger, silentLogger } from '../../../src/core/log.js';
import { sleep } from '../../../src/core/lifecycle.js';
import { createMtlsAgent, guardTlsServer, IdentityPolicy, remoteIssuer, serverTlsOptions, TlsIdentity, type IdentityRequest } from '../../../src/core/tls/index.js';
import { CaUnderTest, TRUST_DOMAIN } from './support.js';

/**
 * The whole point of the CA: identities with 3-second certificates renew themselves against the
 * real CA (whose own listener certificate rotates just as fast) while an mTLS server keeps answering.
 */
test('TlsIdentity with 3 s certificates renews repeatedly against the real CA while an mTLS server keeps answering', async () => {
  const ca = await CaUnderTest.start({ lifetime: { default: '3s', min: '1s', max: '1h' } });
  const abort = new AbortController();
  const obtain = (role: string, name: string) => {
    const req: IdentityRequest = { trustDomain: TRUST_DOMAIN, role, name, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] };
    const issuer = remoteIssuer(ca.endpoint, () => ca.token(TlsIdentity.sansOf(req).at(-1) as string, TlsIdentity.sansOf(req)));
    return TlsIdentity.obtain(req, issuer, { logger: process.env['PKI_DEBUG'] ? createLogger(role, name, { level: 'debug' }) : silentLogger() });
  };
  const server = await obtain('vector', 'v1');
  const client = await obtain('router', 'r1');
  const renewals = { server: 0, client: 0 };
  server.onRenewed(() => renewals.server++);
  client.onRenewed(() => renewals.client++);
  server.start(abort.signal);
  client.start(abort.signal);

  const https = createServer(serverTlsOptions(server, 'required'), (_req, res) => res.end('pong'));
  guardTlsServer(https, { identity: server, policy: IdentityPolicy.roles(TRUST_DOMAIN, 'router'), logger: silentLogger() });
  await new Promise<void>((r) => https.listen(0, '127.0.0.1', r));
  const port = (https.address() as AddressInfo).port;
  const agent = createMtlsAgent(client, { serverPolicy: IdentityPolicy.roles(TRUST_DOMAIN, 'vector'), agent: { keepAliveTimeout: 300 } });
  const serials = { server: new Set([server.current.serialNumber]), ca: new Set([(await ca.serverCertificate()).cert.serialNumber]) };
  try {
    let answered = 0;
    const deadline = Date.now() + 8000;
    while (Date.now() < deadline) {
      const res = await request(`https://127.0.0.1:${port}/`, { dispatcher: agent });
      assert.equal(res.statusCode, 200);
      assert.equal(await res.body.text(), 'pong');
      answered++;
      serials.server.add(server.current.serialNumber);
      if (answered % 10 === 0) serials.ca.add((await ca.serverCertificate()).cert.serialNumber);
      await sleep(50);
    }
    assert.ok(answered > 60, `the server kept answering (${answered} requests)`);
    assert.ok(renewals.server >= 3, `server identity renewed ${renewals.server} times`);
    assert.ok(renewals.client >= 3, `client identity renewed ${renewals.client} times`);
    assert.ok(serials.server.size >= 4, 'each renewal brought a new certificate');
    assert.ok(serials.ca.size >= 3, `the CA's own listener certificate rotated too (${serials.ca.size} seen)`);
    assert.ok(server.current.notAfter.getTime() > Date.now(), 'the server certificate is current');
    const life = server.current.notAfter.getTime() - server.current.receivedAt.getTime();
    assert.ok(life >= 2500 && life <= 4000, `renewed certificates keep the configured 3 s lifetime (${life} ms from receipt)`);
    const metrics = (await ca.raw('GET', '/metrics')).text;
    const renewed = Number(/^phoenix_ca_certificates_renewed_total\{provisioner="phoenix"\} (\d+)/m.exec(metrics)?.[1]);
    assert.ok(renewed >= renewals.server + renewals.client, `the CA counted ${renewed} renewals; identities saw ${JSON.stringify(renewals)}\n${metrics}`);
  } finally {
    abort.abort();
    await agent.close();
    await new Promise((r) => https.close(r));
    await ca.close();
  }
});
