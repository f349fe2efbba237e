import { BadRequestError } from '../errors.js';
import { asGeoPoint, haversineMetres, type GeoPoint } from '../segment/filter-geo.js';
import { parseDateTime, type Condition } from '../segment/filter.js';
import { getValues, type JsonObject, type JsonPath, type JsonValue } from '../segment/json-path.js';
import { pointIdKey, type PointId } from '../segment/point-id.js';
import type { Scored } from './model.js';
import { withinIds } from './scan.js';
import type { QueryTarget } from './target.js';

/**
 * Score boosting by formula (Qdrant's `formula` query): an expression over the prefetches' scores
 * (`$score`, `$score[i]`; a point missing from a prefetch scores its default or 0), payload values
 * (by key path, falling back to `defaults`), conditions (1 when the point matches, else 0), geo
 * distances, date-times (in seconds), arithmetic and decay functions. It rescores the union of the
 * prefetched points, best first; evaluation is in double precision, the result an f32, and a
 * non-finite result is an error, as in Qdrant.
 */
export type Expression =
  | { kind: 'constant'; value: number }
  | { kind: 'score'; prefetch: number; name: string }
  | { kind: 'payload'; path: JsonPath }
  | { kind: 'condition'; condition: Condition }
  | { kind: 'geo_distance'; origin: GeoPoint; to: JsonPath }
  | { kind: 'datetime'; seconds: number }
  | { kind: 'datetime_key'; path: JsonPath }
  | { kind: 'mult' | 'sum'; items: Expression[] }
  | { kind: 'neg' | 'abs' | 'sqrt' | 'exp' | 'log10' | 'ln'; arg: Expression }
  | { kind: 'div'; left: Expression; right: Expression; byZeroDefault?: number }
  | { kind: 'pow'; base: Expression; exponent: Expression }
  | { kind: 'decay'; decay: 'lin' | 'exp' | 'gauss'; x: Expression; target?: Expression; lambda: number };

export interface Formula {
  expression: Expression;
  /** Default values by variable name (`$score[1]`, a payload key). */
  defaults: Record<string, JsonValue>;
}

/** Decay steepness from Qdrant's parameters (midpoint in (0, 1), scale > 0). */
export function decayLambda(decay: 'lin' | 'exp' | 'gauss', midpoint = 0.5, scale = 1): number {
  if (midpoint <= 0 || midpoint >= 1) throw new BadRequestError(`Decay midpoint should be between 0.0 and 1.0 (exclusive), got ${midpoint}.`);
  if (scale <= 0) throw new BadRequestError(`Decay scale should be non-zero positive, got ${scale}.`);
  if (decay === 'lin') return (1 - midpoint) / scale;
  if (decay === 'exp') return Math.log(midpoint) / scale;
  return Math.log(midpoint) / (scale * scale);
}

interface Context {
  id: PointId;
  key: string;
  payload: JsonObject;
  scores: Array<Map<string, number>>;
  matched: Map<Condition, Set<string>>;
  defaults: Record<string, JsonValue>;
}

/** Rescores the union of the sources by the formula; best first, at most `take`, above `threshold`. */
export function formulaRescore(target: QueryTarget, formula: Formula, sources: Scored[][], take: number, threshold?: number): Scored[] {
  const ids = new Map<string, PointId>();
  for (const source of sources) for (const p of source) ids.set(pointIdKey(p.id), p.id);
  if (ids.size === 0) return [];
  const scores = sources.map((source) => new Map(source.map((p) => [pointIdKey(p.id), p.score])));
  const payloads = new Map(target.retrieve([...ids.values()], { withPayload: { kind: 'all' }, withVector: { kind: 'none' } }).map((r) => [pointIdKey(r.id), r.payload ?? {}]));
  const matched = new Map<Condition, Set<string>>();
  for (const condition of conditionsOf(formula.expression)) {
    const set = new Set<string>();
    target.forEachCandidate(withinIds(ids.values(), { must: [condition] }), (slot) => set.add(pointIdKey(target.idAt(slot))));
    matched.set(condition, set);
  }
  const out: Scored[] = [];
  for (const [key, id] of ids) {
    const payload = payloads.get(key);
    if (!payload) continue;
    const value = evaluate(formula.expression, { id, key, payload, scores, matched, defaults: formula.defaults });
    const score = Math.fround(value);
    if (!Number.isFinite(score)) throw new BadRequestError(`The expression ${value} as f32 = ${score} produced a non-finite number`);
    if (threshold === undefined || score >= threshold) out.push({ id, score });
  }
  out.sort((a, b) => b.score - a.score || (pointIdKey(a.id) < pointIdKey(b.id) ? -1 : 1));
  return out.slice(0, take);
}

function conditionsOf(e: Expression): Condition[] {
  switch (e.kind) {
    case 'condition':
      return [e.condition];
    case 'mult':
    case 'sum':
      return e.items.flatMap(conditionsOf);
    case 'neg':
    case 'abs':
    case 'sqrt':
    case 'exp':
    case 'log10':
    case 'ln':
      return conditionsOf(e.arg);
    case 'div':
      return [...conditionsOf(e.left), ...conditionsOf(e.right)];
    case 'pow':
      return [...conditionsOf(e.base), ...conditionsOf(e.exponent)];
    case 'decay':
      return [...conditionsOf(e.x), ...(e.target ? conditionsOf(e.target) : [])];
    default:
      return [];
  }
}

function finite(value: number, expression: string): number {
  if (Number.isFinite(value)) return value;
  throw new BadRequestError(`The expression ${expression} = ${value} produced a non-finite number`);
}

function evaluate(e: Expression, c: Context): number {
  switch (e.kind) {
    case 'constant':
      return e.value;
    case 'score': {
      const s = c.scores[e.prefetch]?.get(c.key);
      if (s !== undefined) return s;
      const d = c.defaults[e.name];
      return typeof d === 'number' ? d : 0;
    }
    case 'payload':
      return payloadValue(c, e.path, 'number', (v) => (typeof v === 'number' ? v : 'Value is not a number'));
    case 'condition':
      return c.matched.get(e.condition)!.has(c.key) ? 1 : 0;
    case 'geo_distance': {
      const to = payloadValue(c, e.to, 'geo point', (v) => asGeoPoint(v) ?? 'Value is not a geo point');
      return haversineMetres(e.origin, to);
    }
    case 'datetime':
      return e.seconds;
    case 'datetime_key':
      return payloadValue(c, e.path, 'datetime', (v) => {
        const t = typeof v === 'string' ? parseDateTime(v) : NaN;
        return Number.isNaN(t) ? 'Value is not a datetime' : t / 1000;
      });
    case 'mult': {
      let product = 1;
      for (const item of e.items) {
        const v = evaluate(item, c);
        if (v === 0) return 0;
        product *= v;
      }
      return product;
    }
    case 'sum':
      return e.items.reduce((acc, item) => acc + evaluate(item, c), 0);
    case 'neg':
      return -evaluate(e.arg, c);
    case 'abs':
      return Math.abs(evaluate(e.arg, c));
    case 'sqrt': {
      const v = evaluate(e.arg, c);
      return finite(Math.sqrt(v), `√${v}`);
    }
    case 'exp': {
      const v = evaluate(e.arg, c);
      return finite(Math.exp(v), `exp(${v})`);
    }
    case 'log10': {
      const v = evaluate(e.arg, c);
      return finite(Math.log10(v), `log10(${v})`);
    }
    case 'ln': {
      const v = evaluate(e.arg, c);
      return finite(Math.log(v), `ln(${v})`);
    }
    case 'div': {
      const left = evaluate(e.left, c);
      if (left === 0) return 0;
      const right = evaluate(e.right, c);
      if (right === 0 && e.byZeroDefault !== undefined) return e.byZeroDefault;
      return finite(left / right, `${left}/${right}`);
    }
    case 'pow': {
      const base = evaluate(e.base, c);
      const exponent = evaluate(e.exponent, c);
      return finite(base ** exponent, `${base}^${exponent}`);
    }
    case 'decay': {
      const x = evaluate(e.x, c);
      const target = e.target ? evaluate(e.target, c) : 0;
      const diff = x - target;
      if (e.decay === 'exp') return Math.exp(e.lambda * Math.abs(diff));
      if (e.decay === 'gauss') return Math.exp(e.lambda * diff * diff);
      return Math.max(-e.lambda * Math.abs(diff) + 1, 0);
    }
  }
}

/** A payload value (one value, or several as an array) or its default, converted; Qdrant's error otherwise. */
function payloadValue<T>(c: Context, path: JsonPath, expected: string, convert: (v: JsonValue) => T | string): T {
  const values = getValues(c.payload, path).flatMap((v) => (Array.isArray(v) ? v : [v]));
  let value: JsonValue | undefined = values.length === 0 ? undefined : values.length === 1 ? values[0] : values;
  if (value === undefined && Object.hasOwn(c.defaults, path.text)) value = c.defaults[path.text];
  if (value === undefined) throw new BadRequestError(`Expected ${expected} value for ${path.text} in the payload and/or in the formula defaults. Error: No value found in a payload nor defaults`);
  const out = convert(value);
  if (typeof out === 'string') throw new BadRequestError(`Expected ${expected} value for ${path.text} in the payload and/or in the formula defaults. Error: ${out}`);
  return out;
}
