import { test } from 'node:test';
import assert from 'node:assert/strict';
import { comparePointIds, normaliseUuid, parsePointId, parsePointIdText, pointIdFromKey, pointIdKey, type PointId } from './point-id.js';

const UUID = '5c56c793-69f3-4fbf-87e6-c4bf54c28c26';

const accepted: Array<{ input: unknown; id: PointId }> = [
  { input: 0, id: 0 },
  { input: 42, id: 42 },
  { input: Number.MAX_SAFE_INTEGER, id: Number.MAX_SAFE_INTEGER },
  { input: UUID, id: UUID },
  { input: UUID.toUpperCase(), id: UUID },
  { input: UUID.replaceAll('-', ''), id: UUID },
  { input: `{${UUID}}`, id: UUID },
  { input: `urn:uuid:${UUID}`, id: UUID },
];

for (const c of accepted) {
  test(`point id ${JSON.stringify(c.input)} is accepted as ${JSON.stringify(c.id)}`, () => {
    assert.deepEqual(parsePointId(c.input), { ok: true, id: c.id });
  });
}

const rejected: Array<{ input: unknown; reason: 'invalid' | 'too_large' }> = [
  { input: -1, reason: 'invalid' },
  { input: 1.5, reason: 'invalid' },
  { input: '1', reason: 'invalid' },
  { input: 'abc', reason: 'invalid' },
  { input: `${UUID}0`, reason: 'invalid' },
  { input: null, reason: 'invalid' },
  { input: true, reason: 'invalid' },
  { input: [1], reason: 'invalid' },
  { input: 2 ** 60, reason: 'too_large' },
];

for (const c of rejected) {
  test(`point id ${JSON.stringify(c.input)} is rejected (${c.reason})`, () => {
    assert.deepEqual(parsePointId(c.input), { ok: false, reason: c.reason });
  });
}

test('ids in a URL: digits are integers, other text must be a UUID', () => {
  assert.deepEqual(parsePointIdText('17'), { ok: true, id: 17 });
  assert.deepEqual(parsePointIdText(UUID.toUpperCase()), { ok: true, id: UUID });
  assert.deepEqual(parsePointIdText('x17'), { ok: false, reason: 'invalid' });
  assert.deepEqual(parsePointIdText('-1'), { ok: false, reason: 'invalid' });
});

test('normaliseUuid gives lowercase hyphenated text', () => {
  assert.equal(normaliseUuid('A1B2C3D4E5F60718293A4B5C6D7E8F90'), 'a1b2c3d4-e5f6-0718-293a-4b5c6d7e8f90');
  assert.equal(normaliseUuid('not-a-uuid'), undefined);
});

test('ordering: integers ascending, then UUIDs by their bytes', () => {
  const ids: PointId[] = ['ffffffff-0000-0000-0000-000000000000', 10, '00000000-0000-0000-0000-000000000001', 2, 100, '0a000000-0000-0000-0000-000000000000'];
  assert.deepEqual([...ids].sort(comparePointIds), [2, 10, 100, '00000000-0000-0000-0000-000000000001', '0a000000-0000-0000-0000-000000000000', 'ffffffff-0000-0000-0000-000000000000']);
});

test('keys round-trip and never collide between integers and UUIDs', () => {
  for (const id of [0, 7, UUID]) assert.deepEqual(pointIdFromKey(pointIdKey(id)), id);
  assert.notEqual(pointIdKey(7), pointIdKey('00000000-0000-0000-0000-000000000007'));
});
