import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matches, type PointView } from './filter.js';
import { siphash24 } from './filter-text.js';
import type { JsonObject } from './json-path.js';
import { pointIdKey } from './point-id.js';
import { parseBody } from '../api/body.js';
import { filterSchema } from '../api/schemas/filter.js';
import { toFilter } from '../api/convert/filter.js';

/** Filters are written as users write them (Qdrant JSON) and converted like the API does. */
function filterOf(json: unknown) {
  return toFilter(parseBody(filterSchema, json));
}

function point(id: number | string, payload: JsonObject, vectors: string[] = ['']): PointView {
  return { payload: () => payload, idKey: () => pointIdKey(id), hasVector: (n) => vectors.includes(n) };
}

const P = {
  berlin: point(1, {
    city: 'Berlin',
    n: 5,
    tags: ['red', 'big'],
    price: 9.5,
    country: { name: 'DE', cities: [{ name: 'Berlin', pop: 3.6 }, { name: 'Bonn', pop: 0.3 }] },
    flag: true,
    bio: 'A big River-side city.',
    at: '2024-03-10T12:00:00Z',
    loc: { lon: 13.4, lat: 52.52 },
  }),
  paris: point(2, { city: 'Paris', n: 12, tags: ['blue'], price: 20, country: { name: 'FR' }, flag: false, note: null, bio: 'The tower by the river', at: '2024-06-01', loc: { lon: 2.35, lat: 48.86 } }),
  empty: point('a1b2c3d4-e5f6-0718-293a-4b5c6d7e8f90', { tags: [], n: [1, 2, 3], maybe: [1, null] }, []),
};

const cases: Array<{ name: string; filter: unknown; expect: Array<keyof typeof P> }> = [
  { name: 'empty filter matches all', filter: {}, expect: ['berlin', 'paris', 'empty'] },
  { name: 'match keyword', filter: { must: [{ key: 'city', match: { value: 'Paris' } }] }, expect: ['paris'] },
  { name: 'must as a single condition', filter: { must: { key: 'city', match: { value: 'Paris' } } }, expect: ['paris'] },
  { name: 'match integer', filter: { must: [{ key: 'n', match: { value: 5 } }] }, expect: ['berlin'] },
  { name: 'match integer inside array value', filter: { must: [{ key: 'n', match: { value: 2 } }] }, expect: ['empty'] },
  { name: 'match bool', filter: { must: [{ key: 'flag', match: { value: false } }] }, expect: ['paris'] },
  { name: 'integer does not match a string', filter: { must: [{ key: 'city', match: { value: 5 } }] }, expect: [] },
  { name: 'array payload: any element matches', filter: { must: [{ key: 'tags', match: { value: 'big' } }] }, expect: ['berlin'] },
  { name: 'match any keywords', filter: { must: [{ key: 'city', match: { any: ['Paris', 'Rome'] } }] }, expect: ['paris'] },
  { name: 'match any on array field', filter: { must: [{ key: 'tags', match: { any: ['blue', 'big'] } }] }, expect: ['berlin', 'paris'] },
  { name: 'match any integers', filter: { must: [{ key: 'n', match: { any: [12, 3] } }] }, expect: ['paris', 'empty'] },
  { name: 'match any empty list matches nothing', filter: { must: [{ key: 'city', match: { any: [] } }] }, expect: [] },
  { name: 'match except (missing field does not match)', filter: { must: [{ key: 'city', match: { except: ['Paris'] } }] }, expect: ['berlin'] },
  { name: 'match except null value does not match', filter: { must: [{ key: 'note', match: { except: ['x'] } }] }, expect: [] },
  { name: 'match except on array: some element outside the list', filter: { must: [{ key: 'tags', match: { except: ['red'] } }] }, expect: ['berlin', 'paris'] },
  { name: 'range gte/lt', filter: { must: [{ key: 'n', range: { gte: 5, lt: 12 } }] }, expect: ['berlin'] },
  { name: 'range gt and lte', filter: { must: [{ key: 'price', range: { gt: 9.5, lte: 20 } }] }, expect: ['paris'] },
  { name: 'range on array values', filter: { must: [{ key: 'n', range: { lte: 1 } }] }, expect: ['empty'] },
  { name: 'range never matches strings', filter: { must: [{ key: 'city', range: { gte: 0 } }] }, expect: [] },
  { name: 'dotted key into object', filter: { must: [{ key: 'country.name', match: { value: 'FR' } }] }, expect: ['paris'] },
  { name: 'array projection with []', filter: { must: [{ key: 'country.cities[].name', match: { value: 'Bonn' } }] }, expect: ['berlin'] },
  { name: 'intermediate array needs []', filter: { must: [{ key: 'country.cities.name', match: { value: 'Bonn' } }] }, expect: [] },
  { name: 'array index', filter: { must: [{ key: 'country.cities[0].name', match: { value: 'Bonn' } }] }, expect: [] },
  { name: 'should: at least one', filter: { should: [{ key: 'city', match: { value: 'Paris' } }, { key: 'n', match: { value: 5 } }] }, expect: ['berlin', 'paris'] },
  { name: 'should: an empty list is no constraint', filter: { should: [] }, expect: ['berlin', 'paris', 'empty'] },
  { name: 'must_not', filter: { must_not: [{ key: 'city', match: { value: 'Paris' } }] }, expect: ['berlin', 'empty'] },
  {
    name: 'nested filter inside must_not',
    filter: { must_not: [{ should: [{ key: 'city', match: { value: 'Paris' } }, { key: 'city', match: { value: 'Berlin' } }] }] },
    expect: ['empty'],
  },
  {
    name: 'must + should + must_not together',
    filter: { must: [{ key: 'n', range: { gte: 0 } }], should: [{ key: 'tags', match: { value: 'red' } }, { key: 'flag', match: { value: false } }], must_not: [{ key: 'price', range: { gt: 15 } }] },
    expect: ['berlin'],
  },
  { name: 'min_should', filter: { min_should: { conditions: [{ key: 'flag', match: { value: true } }, { key: 'n', match: { value: 5 } }, { key: 'city', match: { value: 'X' } }], min_count: 2 } }, expect: ['berlin'] },
  { name: 'has_id (numbers and uuids, any uuid form)', filter: { must: [{ has_id: [2, 'A1B2C3D4E5F60718293A4B5C6D7E8F90'] }] }, expect: ['paris', 'empty'] },
  { name: 'is_empty: missing, null or []', filter: { must: [{ is_empty: { key: 'tags' } }] }, expect: ['empty'] },
  { name: 'is_empty on missing field', filter: { must: [{ is_empty: { key: 'city' } }] }, expect: ['empty'] },
  { name: 'is_null only for explicit null', filter: { must: [{ is_null: { key: 'note' } }] }, expect: ['paris'] },
  { name: 'has_vector', filter: { must: [{ has_vector: '' }] }, expect: ['berlin', 'paris'] },
  { name: 'values_count', filter: { must: [{ key: 'n', values_count: { gte: 2 } }] }, expect: ['empty'] },
  { name: 'nested objects in array', filter: { must: [{ nested: { key: 'country.cities', filter: { must: [{ key: 'name', match: { value: 'Bonn' } }, { key: 'pop', range: { lt: 1 } }] } } }] }, expect: ['berlin'] },
  { name: 'text match: whole words, any order, case-insensitive', filter: { must: [{ key: 'bio', match: { text: 'RIVER big' } }] }, expect: ['berlin'] },
  { name: 'text match: a part of a word is not a word', filter: { must: [{ key: 'bio', match: { text: 'riv' } }] }, expect: [] },
  { name: 'text_any: one word is enough', filter: { must: [{ key: 'bio', match: { text_any: 'nothing tower' } }] }, expect: ['paris'] },
  { name: 'phrase: consecutive words in order', filter: { must: [{ key: 'bio', match: { phrase: 'big river' } }] }, expect: ['berlin'] },
  { name: 'phrase: same words out of order do not match', filter: { must: [{ key: 'bio', match: { phrase: 'river big' } }] }, expect: [] },
  { name: 'prefix: case-sensitive start of a keyword', filter: { must: [{ key: 'city', match: { prefix: 'Par' } }] }, expect: ['paris'] },
  { name: 'prefix: other case does not match', filter: { must: [{ key: 'city', match: { prefix: 'par' } }] }, expect: [] },
  { name: 'datetime range (RFC 3339, date only, offsets)', filter: { must: [{ key: 'at', range: { gte: '2024-01-01', lt: '2024-06-01T00:00:00+02:00' } }] }, expect: ['berlin'] },
  { name: 'datetime range does not match numbers', filter: { must: [{ key: 'n', range: { gte: '2024-01-01T00:00:00Z' } }] }, expect: [] },
  { name: 'geo bounding box', filter: { must: [{ key: 'loc', geo_bounding_box: { top_left: { lon: 13, lat: 53 }, bottom_right: { lon: 14, lat: 52 } } }] }, expect: ['berlin'] },
  { name: 'geo radius (metres)', filter: { must: [{ key: 'loc', geo_radius: { center: { lon: 2.35, lat: 48.85 }, radius: 5000 } }] }, expect: ['paris'] },
  { name: 'geo radius too small', filter: { must: [{ key: 'loc', geo_radius: { center: { lon: 2.45, lat: 48.85 }, radius: 5000 } }] }, expect: [] },
  {
    name: 'geo polygon with a hole',
    filter: {
      must: [
        {
          key: 'loc',
          geo_polygon: {
            exterior: { points: [{ lon: 0, lat: 40 }, { lon: 20, lat: 40 }, { lon: 20, lat: 60 }, { lon: 0, lat: 60 }, { lon: 0, lat: 40 }] },
            interiors: [{ points: [{ lon: 12, lat: 51 }, { lon: 15, lat: 51 }, { lon: 15, lat: 54 }, { lon: 12, lat: 54 }, { lon: 12, lat: 51 }] }],
          },
        },
      ],
    },
    expect: ['paris'],
  },
  { name: 'values_count on a missing field counts 0', filter: { must: [{ key: 'city', values_count: { lt: 1 } }] }, expect: ['empty'] },
  { name: 'values_count of an array', filter: { must: [{ key: 'tags', values_count: { gt: 1 } }] }, expect: ['berlin'] },
  { name: 'field is_empty: false', filter: { must: [{ key: 'tags', is_empty: false }] }, expect: ['berlin', 'paris'] },
  { name: 'is_null on an array holding null', filter: { must: [{ is_null: { key: 'maybe' } }] }, expect: ['empty'] },
  { name: 'nested key with [] is the same as without', filter: { must: [{ nested: { key: 'country.cities[]', filter: { must: [{ key: 'name', match: { value: 'Bonn' } }] } } }] }, expect: ['berlin'] },
  { name: 'nested: both conditions on the same element', filter: { must: [{ nested: { key: 'country.cities', filter: { must: [{ key: 'name', match: { value: 'Berlin' } }, { key: 'pop', range: { lt: 1 } }] } } }] }, expect: [] },
  { name: 'nested: has_id never matches inside', filter: { must: [{ nested: { key: 'country.cities', filter: { must: [{ has_id: [1] }] } } }] }, expect: [] },
  { name: 'several checks in one field condition: any of them', filter: { must: [{ key: 'n', match: { value: 12 }, range: { lt: 6 } }] }, expect: ['berlin', 'paris', 'empty'] },
  { name: 'min_should inside must_not', filter: { must_not: [{ min_should: { conditions: [{ key: 'flag', match: { value: true } }, { key: 'n', match: { value: 5 } }], min_count: 2 } }] }, expect: ['paris', 'empty'] },
];

for (const c of cases) {
  test(`filter: ${c.name}`, () => {
    const f = filterOf(c.filter);
    const got = (Object.keys(P) as Array<keyof typeof P>).filter((k) => matches(f, P[k]));
    assert.deepEqual(got, c.expect);
  });
}

test('filter: payload key __proto__ is plain data, never the prototype', () => {
  const payload = JSON.parse('{"__proto__": {"polluted": "yes"}, "a": 1}') as JsonObject;
  const p = point(9, payload);
  assert.equal(matches(filterOf({ must: [{ key: '__proto__.polluted', match: { value: 'yes' } }] }), p), true);
  assert.equal(matches(filterOf({ must: [{ key: 'constructor', match: { value: 'x' } }] }), point(10, { a: 1 })), false);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

const invalid: Array<{ name: string; filter: unknown; message: RegExp }> = [
  { name: 'unknown condition shape', filter: { must: [{ kye: 'x' }] }, message: /^Format error in JSON body: / },
  { name: 'unknown filter field', filter: { mus: [] }, message: /unknown field `mus`/ },
  { name: 'float match value', filter: { must: [{ key: 'n', match: { value: 1.5 } }] }, message: /^Format error in JSON body: / },
  { name: 'mixed any list', filter: { must: [{ key: 'n', match: { any: ['a', 1] } }] }, message: /^Format error in JSON body: / },
  { name: 'bad has_id', filter: { must: [{ has_id: ['nope'] }] }, message: /^Format error in JSON body: / },
  { name: 'bad key path', filter: { must: [{ key: 'a..b', match: { value: 1 } }] }, message: /Invalid JSON path/ },
  { name: 'field condition without a check', filter: { must: [{ key: 'city' }] }, message: /^Validation error in JSON body: \[filter\.must\[0\]: At least one field condition must be specified\]$/ },
  { name: 'min_should with min_count 0', filter: { min_should: { conditions: [], min_count: 0 } }, message: /^Validation error in JSON body: \[filter\.min_should\.min_count: / },
  { name: 'slice index out of range', filter: { must: [{ slice: { total: 4, index: 4 } }] }, message: /^Validation error in JSON body: / },
  { name: 'slice total 0', filter: { must: [{ slice: { total: 0, index: 0 } }] }, message: /^Format error in JSON body: / },
  { name: 'open polygon', filter: { must: [{ key: 'loc', geo_polygon: { exterior: { points: [{ lon: 0, lat: 0 }, { lon: 1, lat: 0 }, { lon: 1, lat: 1 }, { lon: 0, lat: 1 }] } } }] }, message: /^Format error in JSON body: / },
  { name: 'polygon of three points', filter: { must: [{ key: 'loc', geo_polygon: { exterior: { points: [{ lon: 0, lat: 0 }, { lon: 1, lat: 0 }, { lon: 0, lat: 0 }] } } }] }, message: /^Format error in JSON body: / },
];

test('filter: slices partition the id space (SipHash-2-4 over the id bytes)', () => {
  const ids: Array<number | string> = [...Array.from({ length: 40 }, (_, i) => i), ...Array.from({ length: 40 }, (_, i) => `00000000-0000-0000-0000-${i.toString(16).padStart(12, '0')}`)];
  const seen = new Set<string>();
  for (let index = 0; index < 4; index++) {
    const f = filterOf({ must: [{ slice: { total: 4, index } }] });
    const inSlice = ids.filter((id) => matches(f, point(id, {})));
    assert.ok(inSlice.length > 0 && inSlice.length < ids.length, `slice ${index} has ${inSlice.length} of ${ids.length}`);
    for (const id of inSlice) {
      assert.ok(!seen.has(String(id)), `${id} in two slices`);
      seen.add(String(id));
    }
  }
  assert.equal(seen.size, ids.length);
});

test('filter: SipHash-2-4 reference vector', () => {
  const key = Array.from({ length: 16 }, (_, i) => i);
  const k = (bytes: number[]) => bytes.reduceRight((acc, b) => (acc << 8n) | BigInt(b), 0n);
  const message = Uint8Array.from({ length: 15 }, (_, i) => i);
  assert.equal(siphash24(message, k(key.slice(0, 8)), k(key.slice(8))).toString(16), 'a129ca6149be45e5');
});

for (const c of invalid) {
  test(`filter rejected: ${c.name}`, () => {
    assert.throws(() => filterOf(c.filter), (err: Error) => c.message.test(err.message));
  });
}
