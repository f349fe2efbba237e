import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getValues, parseJsonPath, removePath, updateAt, type JsonObject, type JsonPath } from './json-path.js';

function path(text: string): JsonPath {
  const p = parseJsonPath(text);
  if ('error' in p) throw new Error(p.error);
  return p;
}

const doc = (): JsonObject => ({ a: { b: [{ c: 1 }, { c: 2 }, { d: { e: 3 } }] }, f: 3, g: ['g0', 'g1'], 'x.y': 5 });

const reads: Array<{ path: string; values: unknown[] }> = [
  { path: 'f', values: [3] },
  { path: 'a.b[].c', values: [1, 2] },
  { path: 'a.b[1].c', values: [2] },
  { path: 'a.b[].d.e', values: [3] },
  { path: 'a.b.c', values: [] },
  { path: 'g[1]', values: ['g1'] },
  { path: 'g', values: [['g0', 'g1']] },
  { path: '"x.y"', values: [5] },
  { path: 'missing.deeper', values: [] },
];

for (const r of reads) {
  test(`json path ${r.path} reads ${JSON.stringify(r.values)}`, () => {
    assert.deepEqual(getValues(doc(), path(r.path)), r.values);
  });
}

test('invalid paths are refused', () => {
  for (const bad of ['', 'a..b', 'a[x]', 'a[', '.a']) assert.ok('error' in parseJsonPath(bad), bad);
});

test('removePath deletes nested keys and projected keys', () => {
  const d = doc();
  removePath(d, path('a.b[].c'));
  removePath(d, path('f'));
  assert.deepEqual(d, { a: { b: [{}, {}, { d: { e: 3 } }] }, g: ['g0', 'g1'], 'x.y': 5 });
});

test('updateAt creates missing objects along a key path', () => {
  const d: JsonObject = { a: 1 };
  updateAt(d, path('b.c'), () => ({ z: true }));
  assert.deepEqual(d, { a: 1, b: { c: { z: true } } });
});
