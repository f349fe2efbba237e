import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeOperation, encodeOperation } from './wal-codec.js';
import type { Operation } from './operations.js';
import { parseBody } from '../api/body.js';
import { filterSchema } from '../api/schemas/filter.js';
import { toFilter } from '../api/convert/filter.js';

test('operations round-trip: vectors of every kind, filters with id sets, odd numbers, payload keys that look like tags', () => {
  const payload = JSON.parse('{"\\u0000t": "f32", "i": 0, "nested": {"\\u0000t": "map", "v": [1, 2]}, "list": [1, "two", null, {"a": -0}], "big": 1e308}');
  const op: Operation = {
    type: 'upsert',
    points: [
      {
        id: 'a1b2c3d4-e5f6-0718-293a-4b5c6d7e8f90',
        vectors: new Map([
          ['', { kind: 'dense', values: Float32Array.from([0.5, -1.25, 3e-7]) }],
          ['sp', { kind: 'sparse', indices: Uint32Array.from([3, 9, 4000000000]), values: Float32Array.from([1, 2, 3]) }],
          ['mv', { kind: 'multi', vectors: [Float32Array.from([1, 2]), Float32Array.from([3, 4])] }],
        ]),
        payload,
      },
    ],
    updateFilter: toFilter(parseBody(filterSchema, { must: [{ has_id: [1, 2] }, { key: 'n', range: { gte: -Infinity === -Infinity ? 0 : 1 } }] })),
  };
  const back = decodeOperation(encodeOperation(op));
  assert.deepEqual(back, op);
});

test('any JSON payload and any dense vector round-trip exactly', () => {
  fc.assert(
    fc.property(fc.jsonValue(), fc.array(fc.float({ noNaN: true }), { maxLength: 40 }), (json, values) => {
      const op: Operation = { type: 'upsert', points: [{ id: 7, vectors: new Map([['v', { kind: 'dense', values: Float32Array.from(values) }]]), payload: { data: json as never } }] };
      const back = decodeOperation(encodeOperation(op));
      assert.deepEqual(back, op);
    }),
    { numRuns: 300 },
  );
});
