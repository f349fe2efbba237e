import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCsrPem, generatePrivateKeyPem } from '../../../src/core/tls/keys.js';
import { PHOENIX_BIN } from '../../helpers/platform.js';
import { caLayout } from '../../../src/pki/layout.js';
import { CaUnderTest } from './support.js';

function phoenix(args: string[], home: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [PHOENIX_BIN, ...args], { env: { ...process.env, PHOENIX_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => resolve({ code, out }));
  });
}

/** `phoenix ca bootstrap | token | sign | renew | list | revoke | crl | audit | offline-root` against a running CA. */
test('phoenix ca operator commands against a running CA', async () => {
  const ca = await CaUnderTest.start();
  const home = join(ca.dir, 'client-home');
  const dataDir = join(ca.dir, 'ca');
  const ok = async (args: string[]) => {
    const r = await phoenix(args, home);
    assert.equal(r.code, 0, `phoenix ${args.join(' ')}:\n${r.out}`);
    return r.out;
  };
  try {
    const fp = (await ok(['ca', 'fingerprint', '--dir', dataDir])).trim();
    const bad = await phoenix(['ca', 'bootstrap', '--ca-url', ca.url, '--fingerprint', 'ab'.repeat(32)], home);
    assert.notEqual(bad.code, 0, 'a wrong fingerprint is refused');
    assert.match(bad.out, /no root with fingerprint/);
    await ok(['ca', 'bootstrap', '--ca-url', ca.url, '--fingerprint', fp]);
    const root = join(home, 'ca', 'root_ca.crt');
    assert.equal(readFileSync(root, 'utf8'), ca.handle.rootPem, 'bootstrap saved the root under $PHOENIX_HOME/ca');

    const keyFile = join(ca.dir, 'leaf.key');
    const csrFile = join(ca.dir, 'leaf.csr');
    const crtFile = join(ca.dir, 'leaf.crt');
    const key = generatePrivateKeyPem();
    writeFileSync(keyFile, key);
    writeFileSync(csrFile, await createCsrPem(key, { commonName: 'svc.localhost', dnsNames: ['svc.localhost'] }));
    const token = (await ok(['ca', 'token', 'svc.localhost', '--ca-url', ca.url, '--dir', dataDir])).trim();
    await ok(['ca', 'sign', csrFile, crtFile, '--token', token, '--ca-url', ca.url]);
    const first = new X509Certificate(readFileSync(crtFile));
    await ok(['ca', 'renew', crtFile, keyFile, '--ca-url', ca.url]);
    const renewed = new X509Certificate(readFileSync(crtFile));
    assert.notEqual(renewed.serialNumber, first.serialNumber);

    const list = await ok(['ca', 'list', '--dir', dataDir]);
    assert.match(list, new RegExp(`${renewed.serialNumber.replace(/^0+/, '')}\\tvalid\\t.*\\tphoenix\\tsvc\\.localhost`));
    await ok(['ca', 'revoke', renewed.serialNumber, '--reason-code', '4', '--ca-url', ca.url, '--dir', dataDir]);
    assert.match(await ok(['ca', 'list', '--dir', dataDir]), new RegExp(`${renewed.serialNumber.replace(/^0+/, '')}\\trevoked`));
    const crlFile = join(ca.dir, 'cli.crl');
    writeFileSync(crlFile, await ok(['ca', 'crl', '--ca-url', ca.url]));
    const parsed = await new Promise<string>((resolve) => {
      const c = spawn('openssl', ['crl', '-in', crlFile, '-noout', '-text']);
      let o = '';
      c.stdout.on('data', (b: Buffer) => (o += b.toString()));
      c.once('exit', () => resolve(o));
    });
    assert.match(parsed, /Superseded/);
    const refused = await phoenix(['ca', 'renew', crtFile, keyFile, '--ca-url', ca.url], home);
    assert.notEqual(refused.code, 0);
    assert.match(refused.out, /revoked/);
    const audit = await ok(['ca', 'audit', '--dir', dataDir]);
    assert.match(audit, /\trevoke\tok\t.*admin:phoenix/);
    assert.match(audit, /\trenew\trefused\t.*PKI_RENEW_REVOKED/);
    assert.match(audit, /\tsign\tok\tphoenix\ttoken:svc\.localhost/);

    const offline = join(ca.dir, 'root_ca.key.offline');
    await ok(['ca', 'offline-root', '--out', offline, '--dir', dataDir]);
    assert.equal(existsSync(caLayout(dataDir).rootKey), false, 'the root key left the CA directory');
    assert.equal(statSync(offline).mode & 0o777, 0o600);
    await ca.restart();
    const again = await ca.raw('GET', '/health');
    assert.equal(again.status, 200, 'the CA runs without its root key');
  } finally {
    await ca.close();
  }
});
