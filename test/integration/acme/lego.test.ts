import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAcmeCa, runTool, type AcmeCa } from './support.js';

/**
 * Done-when 1 (lego): the Debian `lego` client, trusting only Phoenix's root, obtains a certificate
 * for localhost with http-01 and with tls-alpn-01, renews it, and revokes it; the CA lists it as
 * revoked and refuses to renew it over its own API.
 */
function legoArgs(acme: AcmeCa, dir: string, challenge: 'http' | 'tls'): string[] {
  const port = challenge === 'http' ? acme.ports.http01 : acme.ports.tlsAlpn01;
  return ['--server', acme.directory, '--email', 'ops@example.com', '--accept-tos', '--domains', 'localhost', `--${challenge}`, `--${challenge}.port`, `:${port}`, '--path', dir];
}

for (const challenge of ['http', 'tls'] as const) {
  test(`lego obtains (${challenge === 'http' ? 'http-01' : 'tls-alpn-01'}), renews and revokes a certificate from Phoenix's ACME directory`, async () => {
    const acme = await startAcmeCa();
    const dir = mkdtempSync(join(tmpdir(), 'phoenix-lego-'));
    const env = { LEGO_CA_CERTIFICATES: acme.rootFile };
    try {
      const run = await runTool('lego', [...legoArgs(acme, dir, challenge), 'run'], env);
      assert.equal(run.code, 0, `lego run failed:\n${run.out}`);
      const bundle = readFileSync(join(dir, 'certificates', 'localhost.crt'), 'utf8');
      const first = new X509Certificate(bundle);
      assert.match(first.subjectAltName ?? '', /DNS:localhost/);
      assert.ok(first.verify(new X509Certificate(bundle.slice(bundle.indexOf('-----BEGIN', 10))).publicKey), 'the bundle carries the issuing intermediate');
      const lifetimeH = (Date.parse(first.validTo) - Date.parse(first.validFrom)) / 3_600_000;
      assert.ok(lifetimeH > 23.9 && lifetimeH < 24.1, `default 24 h lifetime (${lifetimeH} h)`);

      const renew = await runTool('lego', [...legoArgs(acme, dir, challenge), 'renew', '--days', '30', '--no-random-sleep'], env);
      assert.equal(renew.code, 0, `lego renew failed:\n${renew.out}`);
      const renewed = new X509Certificate(readFileSync(join(dir, 'certificates', 'localhost.crt'), 'utf8'));
      assert.notEqual(renewed.serialNumber, first.serialNumber, 'renewal brought a new certificate');

      const revoke = await runTool('lego', [...legoArgs(acme, dir, challenge), 'revoke'], env);
      assert.equal(revoke.code, 0, `lego revoke failed:\n${revoke.out}`);
      const crl = await acme.ca.raw('GET', '/1.0/crl?pem=true');
      assert.equal(crl.status, 200);
      const crlFile = join(dir, 'crl.pem');
      writeFileSync(crlFile, crl.text);
      const text = await runTool('openssl', ['crl', '-in', crlFile, '-noout', '-text'], {}, 10_000);
      assert.equal(text.code, 0, text.out);
      assert.ok(crlSerials(text.out).includes(renewed.serialNumber.replace(/^0+/, '')), `serial ${renewed.serialNumber} is in the CRL:\n${text.out}`);
      const metrics = (await acme.ca.raw('GET', '/metrics')).text;
      assert.match(metrics, /phoenix_ca_certificates_issued_total\{provisioner="acme"\} 2/);
      assert.match(metrics, /phoenix_ca_certificates_revoked_total\{provisioner="acme"\} 1/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await acme.ca.close();
    }
  });
}

/** Serial numbers in a PEM CRL as `openssl crl -text` prints them (upper-case hex, no leading zeros). */
export function crlSerials(pem: string): string[] {
  return [...pem.matchAll(/Serial Number: ([0-9A-F]+)/g)].map((m) => (m[1] as string).replace(/^0+/, ''));
}
