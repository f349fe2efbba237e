import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK } from 'jose';
import { loadProvisionerKey } from '../core/ca-client/token.js';
import { ConfigError } from '../core/errors.js';
import { x509 } from '../core/tls/x509.js';
import { initCa } from './init.js';
import { caLayout } from './layout.js';
import { readCaSettings } from './settings.js';
import { caFingerprint, caToken } from './commands.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'phoenix-ca-init-'));
}

function mode(file: string): number {
  return statSync(file).mode & 0o777;
}

test('initCa creates root, intermediate, encrypted keys, password and provisioner with tight modes', async () => {
  const dir = tempDir();
  try {
    const result = await initCa({ dataDir: dir, trustDomain: 'phoenix.test' });
    const l = caLayout(dir);
    assert.equal(result.created, true);
    for (const file of [l.rootKey, l.intermediateKey, l.passwordFile, l.provisionerKeyFile]) assert.equal(mode(file), 0o600, `${file} is 0600`);
    assert.equal(mode(l.secretsDir), 0o700);
    assert.match(readFileSync(l.rootKey, 'utf8'), /BEGIN ENCRYPTED PRIVATE KEY/);
    assert.match(readFileSync(l.intermediateKey, 'utf8'), /BEGIN ENCRYPTED PRIVATE KEY/);
    assert.match(readFileSync(l.passwordFile, 'utf8').trim(), /^[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url');

    const root = new X509Certificate(readFileSync(l.rootCert));
    const intermediate = new X509Certificate(readFileSync(l.intermediateCert));
    assert.ok(root.ca && root.checkIssued(root) && root.verify(root.publicKey), 'root is a self-signed CA');
    assert.ok(intermediate.ca && intermediate.checkIssued(root) && intermediate.verify(root.publicKey), 'intermediate is signed by the root');
    assert.equal(root.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    assert.equal(intermediate.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    const years = (new Date(root.validTo).getTime() - Date.now()) / (365 * 86_400_000);
    assert.ok(years > 9.9 && years < 10.1, `root valid ~10 years (${years})`);
    assert.ok(new Date(intermediate.validTo).getTime() <= new Date(root.validTo).getTime());
    assert.equal(pathLen(root), 1);
    assert.equal(pathLen(intermediate), 0);

    const settings = readCaSettings(l.caJson);
    assert.equal(settings.trustDomain, 'phoenix.test');
    const provisioner = loadProvisionerKey(l.provisionerKeyFile);
    assert.equal(provisioner.name, 'phoenix');
    const publicJwk = await exportJWK(createPublicKey(createPrivateKey({ key: provisioner.key as never, format: 'jwk' })));
    assert.equal(provisioner.kid, await calculateJwkThumbprint(publicJwk), 'kid is the RFC 7638 thumbprint');
    assert.equal(settings.provisioners[0]?.kid, provisioner.kid);
    assert.equal(settings.provisioners[0]?.key.d, undefined, 'ca.json holds the public key only');
    assert.equal(result.rootFingerprint, caFingerprint(dir));
    assert.match(result.rootFingerprint, /^[0-9a-f]{64}$/);
    assert.equal(await caToken({ dataDir: dir, subject: 'x', caUrl: 'https://localhost:9000' }).then((t) => t.split('.').length), 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function pathLen(cert: X509Certificate): number | undefined {
  return new x509.X509Certificate(cert.raw).getExtension(x509.BasicConstraintsExtension)?.pathLength;
}

test('initCa is idempotent: a second run changes nothing', async () => {
  const dir = tempDir();
  try {
    const first = await initCa({ dataDir: dir });
    const l = caLayout(dir);
    const files = [l.rootCert, l.rootKey, l.intermediateCert, l.intermediateKey, l.passwordFile, l.provisionerKeyFile, l.caJson];
    const before = files.map((f) => readFileSync(f, 'utf8'));
    const second = await initCa({ dataDir: dir });
    assert.equal(second.created, false);
    assert.equal(second.rootFingerprint, first.rootFingerprint);
    assert.deepEqual(files.map((f) => readFileSync(f, 'utf8')), before);
    assert.equal(readCaSettings(l.caJson).trustDomain, 'phoenix.internal');
    await assert.rejects(initCa({ dataDir: dir, trustDomain: 'other.test' }), (err: Error) => err instanceof ConfigError && /trust domain "phoenix\.internal", not "other\.test"/.test(err.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('initCa refuses to overwrite CA keys left without ca.json', async () => {
  const dir = tempDir();
  try {
    await initCa({ dataDir: dir });
    rmSync(caLayout(dir).caJson);
    const rootBefore = readFileSync(caLayout(dir).rootCert, 'utf8');
    await assert.rejects(initCa({ dataDir: dir }), /no ca\.json/);
    assert.equal(readFileSync(caLayout(dir).rootCert, 'utf8'), rootBefore);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the encrypted intermediate key cannot be read without the password', async () => {
  const dir = tempDir();
  try {
    const passwordFile = join(dir, 'my-password');
    writeFileSync(passwordFile, 'correct horse battery staple\n', { mode: 0o600 });
    await initCa({ dataDir: join(dir, 'ca'), passwordFile });
    const l = caLayout(join(dir, 'ca'));
    assert.equal(existsSync(l.passwordFile), false, 'no password is generated when one is configured');
    const pem = readFileSync(l.intermediateKey, 'utf8');
    assert.throws(() => createPrivateKey(pem), 'no password');
    assert.throws(() => createPrivateKey({ key: pem, format: 'pem', passphrase: 'wrong' }), 'wrong password');
    const key = createPrivateKey({ key: pem, format: 'pem', passphrase: 'correct horse battery staple' });
    const cert = new X509Certificate(readFileSync(l.intermediateCert));
    assert.ok(createPublicKey(key).export({ format: 'der', type: 'spki' }).equals(cert.publicKey.export({ format: 'der', type: 'spki' })));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
