import { FormatError, ValidationError } from '../../errors.js';
import { parseDateTime, type Condition, type CountRange, type Filter, type GeoPoint, type Match, type Range } from '../../segment/filter.js';
import { parseJsonPath, type JsonPath } from '../../segment/json-path.js';
import { pointIdKey } from '../../segment/point-id.js';
import type { ConditionWire, CountWire, FieldConditionWire, FilterWire, GeoPointWire, MatchWire, RangeWire } from '../schemas/filter.js';

/**
 * Wire filter → engine filter (paths parsed, ids keyed, date-times read). Values of the right
 * shape but out of bounds are 422 validation errors naming where they are (`filter.must[0]…`).
 */
export function toFilter(wire: FilterWire, at = 'filter'): Filter {
  const f: Filter = {};
  const must = list(wire.must);
  const should = list(wire.should);
  const mustNot = list(wire.must_not);
  if (must) f.must = must.map((c, i) => toCondition(c, `${at}.must[${i}]`));
  if (should) f.should = should.map((c, i) => toCondition(c, `${at}.should[${i}]`));
  if (mustNot) f.mustNot = mustNot.map((c, i) => toCondition(c, `${at}.must_not[${i}]`));
  if (wire.min_should) {
    const minCount = wire.min_should.min_count;
    if (minCount < 1) throw new ValidationError([{ field: `${at}.min_should.min_count`, message: `value ${minCount} invalid, must be 1 or larger` }]);
    f.minShould = { conditions: wire.min_should.conditions.map((c, i) => toCondition(c, `${at}.min_should.conditions[${i}]`)), minCount };
  }
  return f;
}

function list<T>(v: T | T[] | null | undefined): T[] | undefined {
  if (v === null || v === undefined) return undefined;
  return Array.isArray(v) ? v : [v];
}

export function toPath(text: string): JsonPath {
  const p = parseJsonPath(text);
  if ('error' in p) throw new FormatError(p.error);
  return p;
}

export function toCondition(c: ConditionWire, at: string): Condition {
  if ('key' in c && typeof c.key === 'string') return toFieldCondition(c as FieldConditionWire, at);
  if ('is_empty' in c && typeof c.is_empty === 'object' && c.is_empty) return { type: 'is_empty', key: toPath(c.is_empty.key) };
  if ('is_null' in c && typeof c.is_null === 'object' && c.is_null) return { type: 'is_null', key: toPath(c.is_null.key) };
  if ('has_id' in c) return { type: 'has_id', keys: new Set(c.has_id.map(pointIdKey)) };
  if ('has_vector' in c) return { type: 'has_vector', name: c.has_vector };
  if ('slice' in c) {
    const { total, index } = c.slice;
    if (index >= total) throw new ValidationError([{ field: `${at}.slice.index`, message: `value ${index} invalid, must be less than total (${total})` }]);
    return { type: 'slice', total, index };
  }
  if ('nested' in c) return { type: 'nested', key: toPath(c.nested.key), filter: toFilter(c.nested.filter, `${at}.nested.filter`) };
  return { type: 'filter', filter: toFilter(c as FilterWire, at) };
}

function toFieldCondition(c: FieldConditionWire, at: string): Condition {
  const cond: Condition = { type: 'field', key: toPath(c.key) };
  let any = false;
  if (c.match) {
    cond.match = toMatch(c.match);
    any = true;
  }
  if (c.range) {
    cond.range = toRange(c.range);
    any = true;
  }
  if (c.geo_bounding_box) {
    cond.geoBoundingBox = { topLeft: geoPoint(c.geo_bounding_box.top_left), bottomRight: geoPoint(c.geo_bounding_box.bottom_right) };
    any = true;
  }
  if (c.geo_radius) {
    cond.geoRadius = { center: geoPoint(c.geo_radius.center), radius: c.geo_radius.radius };
    any = true;
  }
  if (c.geo_polygon) {
    cond.geoPolygon = { exterior: c.geo_polygon.exterior.points.map(geoPoint), interiors: (c.geo_polygon.interiors ?? []).map((l) => l.points.map(geoPoint)) };
    any = true;
  }
  if (c.values_count) {
    cond.valuesCount = toCount(c.values_count);
    any = true;
  }
  if (c.is_empty !== null && c.is_empty !== undefined) {
    cond.isEmpty = c.is_empty;
    any = true;
  }
  if (c.is_null !== null && c.is_null !== undefined) {
    cond.isNull = c.is_null;
    any = true;
  }
  if (!any) throw new ValidationError([{ field: at, message: 'At least one field condition must be specified' }]);
  return cond;
}

function geoPoint(p: GeoPointWire): GeoPoint {
  return { lon: p.lon, lat: p.lat };
}

function toMatch(m: MatchWire): Match {
  if ('value' in m) return { type: 'value', value: m.value };
  if ('any' in m) return { type: 'any', any: m.any };
  if ('except' in m) return { type: 'except', except: m.except };
  if ('text' in m) return { type: 'text', text: m.text };
  if ('phrase' in m) return { type: 'phrase', text: m.phrase };
  if ('text_any' in m) return { type: 'text_any', text: m.text_any };
  return { type: 'prefix', prefix: m.prefix };
}

function toRange(r: RangeWire): Range {
  const bounds = [r.lt, r.gt, r.lte, r.gte].filter((b) => b !== null && b !== undefined);
  const datetime = bounds.length > 0 && bounds.every((b) => typeof b === 'string');
  if (!datetime && bounds.some((b) => typeof b === 'string')) throw new FormatError('data did not match any variant of untagged enum RangeInterface');
  const read = (b: number | string | null | undefined): number | undefined => {
    if (b === null || b === undefined) return undefined;
    if (typeof b === 'number') return b;
    const t = parseDateTime(b);
    if (Number.isNaN(t)) throw new FormatError(`'${b}' is not in a supported date/time format, please use RFC 3339`);
    return t;
  };
  const out: Range = { datetime };
  const lt = read(r.lt);
  const gt = read(r.gt);
  const lte = read(r.lte);
  const gte = read(r.gte);
  if (lt !== undefined) out.lt = lt;
  if (gt !== undefined) out.gt = gt;
  if (lte !== undefined) out.lte = lte;
  if (gte !== undefined) out.gte = gte;
  return out;
}

function toCount(r: CountWire): CountRange {
  const out: CountRange = {};
  if (r.lt !== null && r.lt !== undefined) out.lt = r.lt;
  if (r.gt !== null && r.gt !== undefined) out.gt = r.gt;
  if (r.lte !== null && r.lte !== undefined) out.lte = r.lte;
  if (r.gte !== null && r.gte !== undefined) out.gte = r.gte;
  return out;
}
