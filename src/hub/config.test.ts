import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfig } from '../core/config.js';
import { ConfigError } from '../core/errors.js';
import { hubConfigSchema } from './config.js';

const minimal = { name: 'hub1', dataDir: '/tmp/hub', ca: { url: 'https://localhost:9000', rootFile: 'root.pem', provisionerKeyFile: 'prov.json' }, adminPassword: 'long-enough' };

test('hub config defaults: port 9443, no peers, the built-in stack, 1 s agent syncs with 3 allowed misses', () => {
  const c = validateConfig(hubConfigSchema, minimal, 'hub');
  assert.deepEqual(c.listen, { host: '127.0.0.1', port: 9443 });
  assert.deepEqual(c.peers, []);
  assert.equal(c.stackFile, undefined);
  assert.equal(c.health.agentSyncInterval, 1000);
  assert.equal(c.health.missedSyncs, 3);
  assert.equal(c.sessionTtl, 12 * 3600_000);
  assert.ok(Object.isFrozen(c));
});

const refused: Array<[string, Record<string, unknown>, RegExp]> = [
  ['a short admin password', { adminPassword: 'short' }, /adminPassword: the admin password must have at least 8 characters/],
  ['a missing provisioner key file', { ca: { url: 'https://localhost:9000', rootFile: 'root.pem' } }, /ca\.provisionerKeyFile/],
  ['a peer without a health URL', { peers: [{ role: 'ca', name: 'ca1' }] }, /peers\.0\.healthUrl/],
  ['a bad duration', { sessionTtl: 'forever' }, /sessionTtl: invalid duration/],
];
for (const [what, override, message] of refused) {
  test(`hub config refuses ${what}`, () => {
    assert.throws(() => validateConfig(hubConfigSchema, { ...minimal, ...override }, 'hub'), (err: unknown) => err instanceof ConfigError && message.test(err.message));
  });
}
