import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig } from '../core/config.js';
import { ConfigError } from '../core/errors.js';
import { silentLogger } from '../core/log.js';
import { caConfigSchema } from './config.js';
import { initCa } from './init.js';
import { caLayout } from './layout.js';
import { startCa } from './main.js';
import { readEncryptedKey } from './authority/key-file.js';
import { createIntermediateCertificate, createRootCertificate } from './authority/ca-certificates.js';
import { readPasswordFile } from './secret-files.js';

const DAY = 86_400_000;

function config(dataDir: string) {
  return validateConfig(caConfigSchema, { name: 'ca1', trustDomain: 'phoenix.test', dataDir, listen: { port: 0 } }, 'ca');
}

/** Re-issues the CA certificates on disk with the given windows, keeping the keys. */
async function reissue(dataDir: string, windows: { root?: [number, number]; intermediate?: [number, number] }): Promise<void> {
  const l = caLayout(dataDir);
  const password = readPasswordFile(l.passwordFile);
  const rootKey = readEncryptedKey(l.rootKey, password);
  const intermediateKey = readEncryptedKey(l.intermediateKey, password);
  const now = Date.now();
  const [rb, ra] = windows.root ?? [-DAY, 3650 * DAY];
  const rootPem = await createRootCertificate(rootKey, { trustDomain: 'phoenix.test', notBefore: new Date(now + rb), notAfter: new Date(now + ra) });
  const [ib, ia] = windows.intermediate ?? [-DAY, 3650 * DAY];
  const intermediatePem = await createIntermediateCertificate(intermediateKey, { certPem: rootPem, key: rootKey }, { trustDomain: 'phoenix.test', notBefore: new Date(now + ib), notAfter: new Date(now + ia) });
  writeFileSync(l.rootCert, rootPem);
  writeFileSync(l.intermediateCert, intermediatePem);
}

test('startCa refuses an expired or not-yet-valid root or intermediate, saying which and when', async (t) => {
  const cases = [
    { name: 'expired intermediate', windows: { intermediate: [-10 * DAY, -DAY] as [number, number] }, message: /intermediate CA certificate .*intermediate_ca\.crt expired at \d{4}-\d\d-\d\dT/ },
    { name: 'expired root', windows: { root: [-10 * DAY, -DAY] as [number, number], intermediate: [-10 * DAY, -2 * DAY] as [number, number] }, message: /root CA certificate .*root_ca\.crt expired at/ },
    { name: 'intermediate not yet valid', windows: { intermediate: [DAY, 10 * DAY] as [number, number] }, message: /intermediate CA certificate .* not valid before/ },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'phoenix-ca-expired-'));
      try {
        await initCa({ dataDir: dir, trustDomain: 'phoenix.test' });
        await reissue(dir, c.windows);
        await assert.rejects(startCa(config(dir), { logger: silentLogger() }), (err: Error) => {
          assert.ok(err instanceof ConfigError, String(err));
          assert.match(err.message, c.message);
          const when = /(?:at|before) (\S+);/.exec(err.message)?.[1];
          assert.ok(when && !Number.isNaN(Date.parse(when)), `message names the time (${err.message})`);
          assert.equal(Date.parse(when) < Date.now(), c.name.startsWith('expired'));
          return true;
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

test('startCa refuses a wrong CA password and a trust domain other than the recorded one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'phoenix-ca-pw-'));
  try {
    await initCa({ dataDir: dir, trustDomain: 'phoenix.test' });
    const wrong = join(dir, 'wrong-password');
    writeFileSync(wrong, 'not the password\n');
    await assert.rejects(startCa({ ...config(dir), passwordFile: wrong }, { logger: silentLogger() }), /cannot decrypt CA key .*wrong CA password/);
    await assert.rejects(startCa({ ...config(dir), trustDomain: 'phoenix.other' }, { logger: silentLogger() }), /trust domain "phoenix\.test", not "phoenix\.other"/);
    assert.match(readFileSync(caLayout(dir).rootCert, 'utf8'), /BEGIN CERTIFICATE/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('startCa on an empty directory initializes it, serves, and close() is idempotent', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'phoenix-ca-first-'));
  try {
    const ca = await startCa(config(join(dir, 'ca')), { logger: silentLogger() });
    assert.match(ca.endpoints.api ?? '', /^https:\/\/localhost:\d+$/);
    assert.equal(ca.rootPem, readFileSync(caLayout(join(dir, 'ca')).rootCert, 'utf8'));
    await ca.close();
    await ca.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the config schema parses durations and rejects inconsistent lifetimes', () => {
  const ok = validateConfig(caConfigSchema, { name: 'ca1', dataDir: '/x', lifetime: { default: '3s', min: '1s', max: '1m' } }, 'ca');
  assert.deepEqual(ok.lifetime, { default: 3000, min: 1000, max: 60_000 });
  assert.equal(ok.listen.port, 9000);
  assert.deepEqual(ok.dnsNames, ['localhost']);
  assert.deepEqual(ok.ipAddresses, ['127.0.0.1']);
  assert.throws(() => validateConfig(caConfigSchema, { name: 'ca1', dataDir: '/x', lifetime: { default: '2d' } }, 'ca'), /lifetime\.default must lie between/);
  assert.throws(() => validateConfig(caConfigSchema, { name: 'ca1', dataDir: '/x', lifetime: { min: '500ms', default: '1s' } }, 'ca'), /at least 1s/);
  assert.throws(() => validateConfig(caConfigSchema, { name: 'ca1', dataDir: '/x', ipAddresses: ['localhost'] }, 'ca'), /ipAddresses\.0/);
});
