import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SCRYPT, hashPassword, needsRehash, verifyPassword } from './password.js';

test('scrypt hashes verify the right password only, with a fresh salt each time', async () => {
  const a = await hashPassword('correct horse battery');
  const b = await hashPassword('correct horse battery');
  assert.notEqual(a, b, 'two hashes of one password must differ (random salt)');
  assert.ok(!a.includes('correct horse'), 'the hash must not contain the password');
  assert.equal(await verifyPassword('correct horse battery', a), true);
  assert.equal(await verifyPassword('correct horse battery', b), true);
  assert.equal(await verifyPassword('correct horse batterY', a), false);
  assert.equal(await verifyPassword('', a), false);
});

test('hashes record memory-hard parameters (at least 32 MiB) and verify by those parameters', async () => {
  const stored = await hashPassword('pw-12345678');
  const [scheme, N, r, p] = stored.split('$');
  assert.equal(scheme, 'scrypt');
  assert.ok(128 * Number(N) * Number(r) >= 32 * 1024 * 1024, `scrypt memory ${128 * Number(N) * Number(r)} bytes is too small`);
  assert.equal(Number(p), DEFAULT_SCRYPT.p);
  // A hash made with other parameters still verifies (the parameters travel with it) and asks for a rehash.
  const weak = await hashPassword('pw-12345678', { N: 1024, r: 8, p: 1 });
  assert.equal(await verifyPassword('pw-12345678', weak), true);
  assert.equal(needsRehash(weak), true);
  assert.equal(needsRehash(stored), false);
});

const unreadable = ['', 'plain', 'scrypt$1$8$1$c2FsdHNhbHQ$AAAA', 'scrypt$1000$8$1$c2FsdHNhbHQ$' + 'A'.repeat(43), 'bcrypt$x$y$z$a$b', 'scrypt$1073741824$8$1$c2FsdHNhbHQ$' + 'A'.repeat(43)];
for (const stored of unreadable) {
  test(`an unreadable or hostile hash (${JSON.stringify(stored.slice(0, 24))}) verifies nothing and does not throw`, async () => {
    assert.equal(await verifyPassword('anything', stored), false);
  });
}
