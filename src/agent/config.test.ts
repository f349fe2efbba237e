import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfig } from '../core/config.js';
import { ConfigError } from '../core/errors.js';
import { agentConfigSchema } from './config.js';

const minimal = { name: 'host-a', dataDir: '/tmp/agent', hubUrl: 'https://localhost:9443', ca: { url: 'https://localhost:9000', rootFile: 'root.pem' }, runtime: { phoenixBin: 'bin/phoenix.js' } };

test('agent config defaults: advertise 127.0.0.1, sync every second', () => {
  const c = validateConfig(agentConfigSchema, minimal, 'agent');
  assert.equal(c.advertiseAddress, '127.0.0.1');
  assert.equal(c.syncInterval, 1000);
  assert.equal(c.runtime.stopGrace, 10_000);
  assert.equal(validateConfig(agentConfigSchema, { ...minimal, syncInterval: '5s' }, 'agent').syncInterval, 5000);
});

const refused: Array<[string, Record<string, unknown>, RegExp]> = [
  ['an advertise address that is not an IP', { advertiseAddress: 'my-host' }, /advertiseAddress: must be an IP address/],
  ['a hub URL that is not a URL', { hubUrl: 'localhost 9443' }, /hubUrl/],
  ['a plain-HTTP hub URL', { hubUrl: 'http://localhost:9443' }, /hubUrl: must be an https:\/\/ URL/],
  ['a missing phoenixBin', { runtime: {} }, /runtime\.phoenixBin/],
];
for (const [what, override, message] of refused) {
  test(`agent config refuses ${what}`, () => {
    assert.throws(() => validateConfig(agentConfigSchema, { ...minimal, ...override }, 'agent'), (err: unknown) => err instanceof ConfigError && message.test(err.message));
  });
}
