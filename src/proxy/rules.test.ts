import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRule, type RuleRequest } from './rules.js';

const req = (over: Partial<RuleRequest> & { headers?: Record<string, string> } = {}): RuleRequest => ({
  host: over.host ?? 'qdrant',
  path: over.path ?? '/collections',
  method: over.method ?? 'GET',
  header: (n) => over.headers?.[n],
});

const cases: Array<[rule: string, request: RuleRequest, expected: boolean]> = [
  ['Host(`qdrant`)', req(), true],
  ['Host(`a`, `qdrant`)', req(), true],
  ['Host(`QDRANT`)', req(), true],
  ['Host(`other`)', req(), false],
  ['PathPrefix(`/coll`)', req(), true],
  ['PathPrefix(`/x`, `/collections`)', req(), true],
  ['Path(`/collections`)', req(), true],
  ['Path(`/collections`)', req({ path: '/collections/a' }), false],
  ['Method(`get`)', req(), true],
  ['Method(`POST`, `PUT`)', req(), false],
  ['Header(`x-tenant`, `blue`)', req({ headers: { 'x-tenant': 'blue' } }), true],
  ['Header(`X-Tenant`, `blue`)', req({ headers: { 'x-tenant': 'blue' } }), true],
  ['Header(`x-tenant`, `blue`)', req({ headers: { 'x-tenant': 'red' } }), false],
  ['Host(`qdrant`) && Method(`GET`)', req(), true],
  ['Host(`qdrant`) && Method(`POST`)', req(), false],
  ['Host(`x`) || Method(`GET`)', req(), true],
  ['!Host(`x`)', req(), true],
  ['!(Host(`qdrant`) && Method(`GET`))', req(), false],
  ['Host(`x`) || Host(`qdrant`) && Method(`POST`)', req(), false],
  ['(Host(`x`) || Host(`qdrant`)) && Method(`GET`)', req(), true],
  ['Host("qdrant")', req(), true],
];

for (const [rule, request, expected] of cases) {
  test(`${rule} → ${expected}`, () => assert.equal(compileRule(rule)(request), expected));
}

const bad: Array<[rule: string, reason: RegExp]> = [
  ['Host(`x`', /expected '\)'/],
  ['Hots(`x`)', /unknown matcher Hots/],
  ['Host()', /needs at least one argument/],
  ['Host(`x`) &&', /unexpected end/],
  ['Host(`x`) Host(`y`)', /unexpected 'Host'/],
  ['Header(`a`)', /Header takes a name and a value/],
  ['Host(`x) ', /unterminated string/],
  ['Host(`x`) & Path(`/`)', /unexpected '&'/],
];
for (const [rule, reason] of bad) {
  test(`invalid: ${rule}`, () => assert.throws(() => compileRule(rule), reason));
}
