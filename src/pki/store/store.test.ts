import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaStore, normalizeSerial } from './index.js';

test('used token ids survive reopening, are single-use, and are pruned once expired', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'phoenix-ca-store-'));
  const file = join(dir, 'db', 'ca.sqlite');
  try {
    const now = Date.now();
    let store = CaStore.open(file);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const live = { provisioner: 'phoenix', jti: 'a', subject: 's', expiresAt: new Date(now + 60_000) };
    const old = { provisioner: 'phoenix', jti: 'b', subject: 's', expiresAt: new Date(now - 60_000) };
    assert.equal(store.tokens.use(live), true);
    assert.equal(store.tokens.use(live), false);
    assert.equal(store.tokens.use({ ...live, provisioner: 'other' }), true, 'ids are per provisioner');
    assert.equal(store.tokens.use(old), true);
    await store.close();
    await store.close();

    store = CaStore.open(file);
    assert.equal(store.tokens.use(live), false, 'still used after reopening');
    assert.equal(store.tokens.prune(new Date(now)), 1, 'only the expired id is pruned');
    assert.equal(store.tokens.use(live), false);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('issued certificates are found by serial however it is written', async () => {
  const store = CaStore.open(':memory:');
  try {
    const at = new Date(1_900_000_000_000);
    store.certificates.record({
      serial: '00ab12',
      subject: 'spiffe://t/vector/v1',
      sans: ['URI:spiffe://t/vector/v1'],
      provisioner: 'phoenix',
      notBefore: at,
      notAfter: new Date(at.getTime() + 3000),
      lifetimeMs: 3000,
      created: at,
      how: 'sign',
      pem: 'PEM',
    });
    assert.equal(normalizeSerial('00:AB:12'), 'AB12');
    const found = store.certificates.find('AB12');
    assert.equal(found?.subject, 'spiffe://t/vector/v1');
    assert.deepEqual(found?.sans, ['URI:spiffe://t/vector/v1']);
    assert.equal(found?.lifetimeMs, 3000);
    assert.equal(found?.renewedFrom, undefined);
    assert.equal(store.certificates.find('ab13'), undefined);
    assert.equal(store.certificates.count(), 1);
  } finally {
    await store.close();
  }
});
