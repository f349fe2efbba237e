import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { VectorStore } from '../collection/store.js';
import type { CollectionConfig } from '../collection/config.js';
import { parseBody } from '../api/body.js';
import { filterSchema } from '../api/schemas/filter.js';
import { toFilter } from '../api/convert/filter.js';
import { matches } from '../segment/filter.js';
import { pointIdKey } from '../segment/point-id.js';
import { dense } from '../segment/vector-value.js';
import type { JsonObject } from '../segment/json-path.js';

/**
 * The planner answers filters from payload indexes; whatever it answers must be exactly what
 * evaluating the filter on every point gives. Random payloads (including values of the "wrong"
 * type for an index, arrays and missing keys) and random filters, against brute force.
 */
const config: CollectionConfig = {
  vectors: { kind: 'single', spec: { size: 2, distance: 'Dot', extra: {} } },
  options: { params: {}, hnsw_config: {}, optimizer_config: {}, wal_config: {}, quantization_config: null, strict_mode_config: {} },
};

const word = fc.constantFrom('red', 'green', 'blue', 'Red', 'teal');
const scalar = fc.oneof(word, fc.integer({ min: -3, max: 6 }), fc.constantFrom(1.5, 2.5, true, false, null));
const value = fc.oneof({ weight: 3, arbitrary: scalar }, { weight: 1, arbitrary: fc.array(scalar, { maxLength: 3 }) });
const payload = fc.record({ color: value, n: value, flag: value, x: value }, { requiredKeys: [] });

const field = fc.oneof(
  fc.record({ key: fc.constantFrom('color', 'x'), match: fc.record({ value: word }) }),
  fc.record({ key: fc.constantFrom('color', 'x'), match: fc.record({ any: fc.array(word, { maxLength: 3 }) }) }),
  fc.record({ key: fc.constant('color'), match: fc.record({ prefix: fc.constantFrom('r', 'R', 'te', 'gr') }) }),
  fc.record({ key: fc.constantFrom('n', 'x'), match: fc.record({ value: fc.integer({ min: -3, max: 6 }) }) }),
  fc.record({ key: fc.constantFrom('n', 'x'), match: fc.record({ any: fc.array(fc.integer({ min: -3, max: 6 }), { maxLength: 3 }) }) }),
  fc.record({ key: fc.constantFrom('n', 'x'), range: fc.record({ gte: fc.integer({ min: -3, max: 6 }), lt: fc.integer({ min: -3, max: 7 }) }, { requiredKeys: [] }) }),
  fc.record({ key: fc.constantFrom('flag', 'x'), match: fc.record({ value: fc.boolean() }) }),
  fc.record({ has_id: fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 5 }) }),
  fc.record({ key: fc.constantFrom('color', 'n'), match: fc.record({ except: fc.array(word, { maxLength: 2 }) }) }),
  fc.record({ is_empty: fc.record({ key: fc.constantFrom('color', 'n') }) }),
);
const leaf = fc.array(field, { minLength: 1, maxLength: 3 });
const filter = fc.record({ must: leaf, should: leaf, must_not: leaf }, { requiredKeys: [] }).chain((f) => fc.oneof(fc.constant(f), fc.constant({ must: [f, ...(f.must ?? [])] })));

test('filters planned from payload indexes select exactly what brute force selects', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'phoenix-plan-'));
  const store = VectorStore.openDir(dir);
  try {
    let round = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(payload, { minLength: 1, maxLength: 60 }), fc.array(filter, { minLength: 1, maxLength: 6 }), async (payloads, filters) => {
        const c = store.createCollection(`p${round++}`, config);
        await c.update({ type: 'upsert', points: payloads.map((p, id) => ({ id, vectors: new Map([['', dense(Float32Array.from([id, 1]))]]), payload: p as JsonObject })) });
        for (const [field, type] of [
          ['color', 'keyword'],
          ['n', 'integer'],
          ['flag', 'bool'],
        ] as const) {
          await c.update({ type: 'create_payload_index', field, schema: { type } });
        }
        await c.update({ type: 'delete', selection: { kind: 'ids', ids: [3, 7] } });
        for (const wire of filters) {
          const f = toFilter(parseBody(filterSchema, wire));
          const expected: Array<number> = [];
          payloads.forEach((p, id) => {
            if (id === 3 || id === 7) return;
            if (matches(f, { payload: () => p as JsonObject, idKey: () => pointIdKey(id), hasVector: () => true })) expected.push(id);
          });
          assert.equal(c.count(f), expected.length, `count ${JSON.stringify(wire)}`);
          const seen: number[] = [];
          c.forEachCandidate(f, (slot) => seen.push(c.idAt(slot) as number));
          assert.deepEqual(seen.sort((a, b) => a - b), expected, `candidates ${JSON.stringify(wire)}`);
          const page = c.scroll({ limit: 100, filter: f, withPayload: { kind: 'none' }, withVector: { kind: 'none' } });
          assert.deepEqual(
            page.points.map((p) => p.id),
            expected,
            `scroll ${JSON.stringify(wire)}`,
          );
        }
        store.deleteCollection(c.name);
      }),
      { numRuns: 60 },
    );
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
