import { checkGeoBoundingBox, checkGeoPolygon, checkGeoRadius, type GeoBoundingBox, type GeoPolygon, type GeoRadius } from './filter-geo.js';
import { pointIdSlice, textTokens } from './filter-text.js';
import { getValues, isObject, type JsonObject, type JsonPath, type JsonValue } from './json-path.js';

export type { GeoBoundingBox, GeoPoint, GeoPolygon, GeoRadius } from './filter-geo.js';

/**
 * Engine filters (not the wire form: `api/convert/filter.ts` builds these) and their evaluation
 * against one point, with Qdrant 1.19's semantics:
 * - `must`: every condition; `should`: at least one (an empty list is no constraint); `must_not`:
 *   none; `min_should`: at least `minCount` of its conditions.
 * - A field condition looks at every value its key path selects; it matches if any value matches,
 *   and for an array value, if any element matches. A field condition with several checks matches
 *   when any of them does. A missing field never matches `match`/`range`/geo (not even `except`).
 * - `text`/`phrase`/`text_any` tokenize like Qdrant's default word tokenizer (lowercase words);
 *   `prefix` is byte-wise and case-sensitive.
 *
 * Condition evaluation here is the API part's (B's); planning and indexes are the core part's.
 */
export interface Filter {
  must?: Condition[];
  should?: Condition[];
  mustNot?: Condition[];
  minShould?: { conditions: Condition[]; minCount: number };
}

export type Condition =
  | ({ type: 'field'; key: JsonPath } & FieldChecks)
  | { type: 'is_empty'; key: JsonPath }
  | { type: 'is_null'; key: JsonPath }
  | { type: 'has_id'; keys: ReadonlySet<string> }
  | { type: 'has_vector'; name: string }
  | { type: 'slice'; total: number; index: number }
  | { type: 'nested'; key: JsonPath; filter: Filter }
  | { type: 'filter'; filter: Filter };

export interface FieldChecks {
  match?: Match;
  range?: Range;
  geoBoundingBox?: GeoBoundingBox;
  geoRadius?: GeoRadius;
  geoPolygon?: GeoPolygon;
  valuesCount?: CountRange;
  isEmpty?: boolean;
  isNull?: boolean;
}

export type Match =
  | { type: 'value'; value: string | number | boolean }
  | { type: 'any'; any: ReadonlyArray<string> | ReadonlyArray<number> }
  | { type: 'except'; except: ReadonlyArray<string> | ReadonlyArray<number> }
  | { type: 'text'; text: string }
  | { type: 'text_any'; text: string }
  | { type: 'phrase'; text: string }
  | { type: 'prefix'; prefix: string };

/** Numeric bounds, or date-time bounds in epoch milliseconds (`datetime: true`). */
export interface Range {
  datetime: boolean;
  lt?: number;
  gt?: number;
  lte?: number;
  gte?: number;
}

export interface CountRange {
  lt?: number;
  gt?: number;
  lte?: number;
  gte?: number;
}

/** What a filter may ask about a point. */
export interface PointView {
  payload(): JsonObject;
  idKey(): string;
  hasVector(name: string): boolean;
}

export function matches(filter: Filter, point: PointView): boolean {
  if (filter.should && filter.should.length > 0 && !filter.should.some((c) => check(c, point))) return false;
  if (filter.minShould) {
    let n = 0;
    for (const c of filter.minShould.conditions) if (check(c, point) && ++n >= filter.minShould.minCount) break;
    if (n < filter.minShould.minCount) return false;
  }
  if (filter.must && !filter.must.every((c) => check(c, point))) return false;
  if (filter.mustNot && filter.mustNot.some((c) => check(c, point))) return false;
  return true;
}

/** Inside `nested`, ids and vectors are not the element's: has_id and has_vector never match there. */
const NESTED_ID = '';

function check(condition: Condition, point: PointView): boolean {
  switch (condition.type) {
    case 'field':
      return checkField(condition, getValues(point.payload(), condition.key));
    case 'is_empty':
      return isEmptyValues(getValues(point.payload(), condition.key));
    case 'is_null':
      return getValues(point.payload(), condition.key).some(isNullValue);
    case 'has_id':
      return point.idKey() !== NESTED_ID && condition.keys.has(point.idKey());
    case 'has_vector':
      return point.hasVector(condition.name);
    case 'slice':
      return point.idKey() !== NESTED_ID && pointIdSlice(point.idKey(), condition.total) === condition.index;
    case 'nested':
      return nestedElements(point.payload(), condition.key).some((obj) => matches(condition.filter, { payload: () => obj, idKey: () => NESTED_ID, hasVector: () => false }));
    case 'filter':
      return matches(condition.filter, point);
  }
}

/** The objects a nested condition applies to: elements of the array(s) at `key` (`key` and `key[]` alike). */
function nestedElements(payload: JsonObject, key: JsonPath): JsonObject[] {
  const items = key.items[key.items.length - 1]?.kind === 'wildcard' ? key.items.slice(0, -1) : key.items;
  const out: JsonObject[] = [];
  for (const v of getValues(payload, { text: key.text, items })) {
    if (Array.isArray(v)) for (const e of v) if (isObject(e)) out.push(e);
  }
  return out;
}

/** Empty: no value at all, or every value null or an empty array. */
function isEmptyValues(values: JsonValue[]): boolean {
  return values.every((v) => v === null || (Array.isArray(v) && v.length === 0));
}

/** Null: null itself, or an array with a null element (one level deep). */
function isNullValue(v: JsonValue): boolean {
  return v === null || (Array.isArray(v) && v.some((x) => x === null));
}

function checkField(c: FieldChecks, values: JsonValue[]): boolean {
  if (c.valuesCount && (values.length === 0 ? inCount(c.valuesCount, 0) : values.some((v) => inCount(c.valuesCount!, valueCount(v))))) return true;
  if (c.isEmpty !== undefined && isEmptyValues(values) === c.isEmpty) return true;
  if (c.isNull !== undefined && values.some(isNullValue) === c.isNull) return true;
  if (!c.match && !c.range && !c.geoBoundingBox && !c.geoRadius && !c.geoPolygon) return false;
  for (const v of values) {
    if (Array.isArray(v)) {
      for (const x of v) if (checkScalar(c, x)) return true;
    } else if (checkScalar(c, v)) {
      return true;
    }
  }
  return false;
}

/** Count of one value: an array counts its elements, null counts 0, anything else 1. */
function valueCount(v: JsonValue): number {
  return v === null ? 0 : Array.isArray(v) ? v.length : 1;
}

/** A field condition with several checks matches when any of them does (as in Qdrant). */
function checkScalar(c: FieldChecks, v: JsonValue): boolean {
  return (
    (c.match !== undefined && checkMatch(c.match, v)) ||
    (c.range !== undefined && checkRange(c.range, v)) ||
    (c.geoBoundingBox !== undefined && checkGeoBoundingBox(c.geoBoundingBox, v)) ||
    (c.geoRadius !== undefined && checkGeoRadius(c.geoRadius, v)) ||
    (c.geoPolygon !== undefined && checkGeoPolygon(c.geoPolygon, v))
  );
}

export function checkMatch(m: Match, v: JsonValue): boolean {
  switch (m.type) {
    case 'value':
      if (typeof m.value === 'number') return typeof v === 'number' && Number.isInteger(v) && v === m.value;
      return v === m.value;
    case 'any':
      if (typeof v === 'string') return isStringList(m.any) && m.any.includes(v);
      if (typeof v === 'number') return isNumberList(m.any) && Number.isInteger(v) && m.any.includes(v);
      return false;
    case 'except':
      if (v === null) return false;
      if (typeof v === 'string') return !(isStringList(m.except) && m.except.includes(v));
      if (typeof v === 'number') return !(isNumberList(m.except) && Number.isInteger(v) && m.except.includes(v));
      return true;
    case 'text': {
      if (typeof v !== 'string') return false;
      const query = textTokens(m.text);
      if (query.length === 0) return false;
      const doc = new Set(textTokens(v));
      return query.every((t) => doc.has(t));
    }
    case 'text_any': {
      if (typeof v !== 'string') return false;
      const doc = new Set(textTokens(v));
      return textTokens(m.text).some((t) => doc.has(t));
    }
    case 'phrase': {
      if (typeof v !== 'string') return false;
      const phrase = textTokens(m.text);
      if (phrase.length === 0) return false;
      const doc = textTokens(v);
      for (let i = 0; i + phrase.length <= doc.length; i++) if (phrase.every((t, j) => doc[i + j] === t)) return true;
      return false;
    }
    case 'prefix':
      return typeof v === 'string' && v.startsWith(m.prefix);
  }
}

function isStringList(list: ReadonlyArray<string> | ReadonlyArray<number>): list is ReadonlyArray<string> {
  return list.length > 0 && typeof list[0] === 'string';
}

function isNumberList(list: ReadonlyArray<string> | ReadonlyArray<number>): list is ReadonlyArray<number> {
  return list.length > 0 && typeof list[0] === 'number';
}

export function checkRange(r: Range, v: JsonValue): boolean {
  let x: number;
  if (r.datetime) {
    if (typeof v !== 'string') return false;
    x = parseDateTime(v);
    if (Number.isNaN(x)) return false;
  } else {
    if (typeof v !== 'number') return false;
    x = v;
  }
  return (r.lt === undefined || x < r.lt) && (r.gt === undefined || x > r.gt) && (r.lte === undefined || x <= r.lte) && (r.gte === undefined || x >= r.gte);
}

function inCount(r: CountRange, n: number): boolean {
  return (r.lt === undefined || n < r.lt) && (r.gt === undefined || n > r.gt) && (r.lte === undefined || n <= r.lte) && (r.gte === undefined || n >= r.gte);
}

/**
 * RFC 3339 date-times, plus the forms Qdrant also accepts: a date alone, and a date-time without
 * zone (both read as UTC), with `T` or a space between date and time. Epoch milliseconds; NaN when
 * the text is not a date-time.
 */
export function parseDateTime(text: string): number {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return Date.parse(`${text}T00:00:00Z`);
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text)) return Date.parse(`${text.replace(' ', 'T')}Z`);
  if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|z|[+-]\d{2}(:?\d{2})?)$/.test(text)) return NaN;
  return Date.parse(text.replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00').replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}
