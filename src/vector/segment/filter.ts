import { getValues, isObject, type JsonObject, type JsonPath, type JsonValue } from './json-path.js';

/**
 * Engine filters (not the wire form: `api/convert/filter.ts` builds these) and their evaluation
 * against one point, with Qdrant's semantics:
 * - `must`: every condition; `should`: at least one (an empty list matches nothing); `must_not`:
 *   none; `min_should`: at least `minCount`.
 * - A field condition looks at every value its key path selects; it matches if any value matches,
 *   and for an array value, if any element matches. A missing field never matches `match`/`range`
 *   (not even `except`).
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
  | { type: 'nested'; key: JsonPath; filter: Filter }
  | { type: 'filter'; filter: Filter };

export interface FieldChecks {
  match?: Match;
  range?: Range;
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
  if (filter.should && !filter.should.some((c) => check(c, point))) return false;
  if (filter.minShould) {
    let n = 0;
    for (const c of filter.minShould.conditions) if (check(c, point)) n++;
    if (n < filter.minShould.minCount) return false;
  }
  if (filter.must && !filter.must.every((c) => check(c, point))) return false;
  if (filter.mustNot && filter.mustNot.some((c) => check(c, point))) return false;
  return true;
}

function check(condition: Condition, point: PointView): boolean {
  switch (condition.type) {
    case 'field':
      return checkField(condition, getValues(point.payload(), condition.key));
    case 'is_empty':
      return getValues(point.payload(), condition.key).every((v) => v === null || (Array.isArray(v) && v.length === 0));
    case 'is_null':
      return getValues(point.payload(), condition.key).some((v) => v === null || (Array.isArray(v) && v.some((x) => x === null)));
    case 'has_id':
      return condition.keys.has(point.idKey());
    case 'has_vector':
      return point.hasVector(condition.name);
    case 'nested': {
      const id = point.idKey();
      return getValues(point.payload(), condition.key).some((v) =>
        (Array.isArray(v) ? v : [v]).some((obj) => isObject(obj) && matches(condition.filter, { payload: () => obj, idKey: () => id, hasVector: () => false })),
      );
    }
    case 'filter':
      return matches(condition.filter, point);
  }
}

function checkField(c: FieldChecks, values: JsonValue[]): boolean {
  if (values.length === 0) {
    if (c.isEmpty !== undefined) return c.isEmpty;
    if (c.isNull !== undefined) return !c.isNull;
    if (c.valuesCount) return inCount(c.valuesCount, 0);
    return false;
  }
  return values.some((v) => checkFieldValue(c, v));
}

function checkFieldValue(c: FieldChecks, v: JsonValue): boolean {
  if (c.valuesCount) return inCount(c.valuesCount, v === null ? 0 : Array.isArray(v) ? v.length : 1);
  if (c.isEmpty !== undefined) return (v === null || (Array.isArray(v) && v.length === 0)) === c.isEmpty;
  if (c.isNull !== undefined) return (v === null || (Array.isArray(v) && v.some((x) => x === null))) === c.isNull;
  if (Array.isArray(v)) return v.some((x) => checkScalar(c, x));
  return checkScalar(c, v);
}

/** A field condition with several checks matches when any of them does (as in Qdrant). */
function checkScalar(c: FieldChecks, v: JsonValue): boolean {
  return (c.match !== undefined && checkMatch(c.match, v)) || (c.range !== undefined && checkRange(c.range, v));
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
    case 'text':
      return typeof v === 'string' && v.includes(m.text);
    case 'text_any':
      return typeof v === 'string' && m.text.split(/\s+/).some((t) => t !== '' && v.includes(t));
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

/** RFC 3339 date-times (and the date-only / no-zone forms Qdrant accepts, read as UTC). */
export function parseDateTime(text: string): number {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return Date.parse(`${text}T00:00:00Z`);
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text)) return Date.parse(`${text.replace(' ', 'T')}Z`);
  if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(text)) return NaN;
  return Date.parse(text.replace(' ', 'T'));
}
