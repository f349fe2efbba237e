import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NamePolicy } from './name-policy.js';
import type { San } from '../authority/sans.js';

const dns = (value: string): San => ({ type: 'dns', value });
const ip = (value: string): San => ({ type: 'ip', value });
const uri = (value: string): San => ({ type: 'uri', value });

test('name policies: deny wins, allow lists restrict every type once present, wildcards and CIDRs', () => {
  const policy = NamePolicy.parse('acme', {
    allow: { dns: ['localhost', '*.phoenix.internal'], ips: ['127.0.0.0/8', '::1'], uris: ['spiffe://phoenix.internal/router/*'] },
    deny: { dns: ['bad.phoenix.internal'] },
  });
  const cases: Array<[San, 'denied' | 'not allowed' | undefined]> = [
    [dns('localhost'), undefined],
    [dns('LOCALHOST.'), undefined],
    [dns('a.b.phoenix.internal'), undefined],
    [dns('phoenix.internal'), 'not allowed'],
    [dns('bad.phoenix.internal'), 'denied'],
    [dns('example.com'), 'not allowed'],
    [ip('127.0.0.2'), undefined],
    [ip('::1'), undefined],
    [ip('10.0.0.1'), 'not allowed'],
    [uri('spiffe://phoenix.internal/router/r1'), undefined],
    [uri('spiffe://phoenix.internal/router/r1/x'), 'not allowed'],
    [uri('spiffe://phoenix.internal/gateway/g1'), 'not allowed'],
  ];
  for (const [san, why] of cases) assert.equal(policy.refusal([san])?.why, why, `${san.type}:${san.value}`);
  assert.throws(() => policy.check([dns('localhost'), dns('example.com')]), /DNS:example\.com is not allowed by the name policy of provisioner "acme"/);
  assert.equal(NamePolicy.parse('open', {}).refusal([dns('anything.example'), ip('8.8.8.8')]), undefined, 'no rules: everything allowed');
  const denyOnly = NamePolicy.parse('d', { deny: { ips: ['10.0.0.0/8'] } });
  assert.equal(denyOnly.refusal([ip('10.1.2.3')])?.why, 'denied');
  assert.equal(denyOnly.refusal([dns('example.com')]), undefined);
  assert.throws(() => NamePolicy.parse('x', { allow: { ips: ['10.0.0.0/33'] } }), /CIDR/);
  assert.throws(() => NamePolicy.parse('x', { allow: { email: ['a'] } }), /email|unrecognized/i);
});
