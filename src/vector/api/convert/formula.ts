import { FormatError, WrongInputError } from '../../errors.js';
import { parseDateTime } from '../../segment/filter.js';
import type { JsonValue } from '../../segment/json-path.js';
import { decayLambda, type Expression, type Formula } from '../../query/formula.js';
import { describeIssue } from '../body.js';
import { conditionSchema } from '../schemas/filter.js';
import { toCondition, toPath } from './filter.js';

/**
 * A `formula` query's expression from its wire JSON (Qdrant's `Expression`): numbers, variable
 * names (`$score`, `$score[i]`, payload keys), conditions, and the operator objects (`mult`, `sum`,
 * `div`, `pow`, `neg`, `abs`, `sqrt`, `exp`, `log10`, `ln`, `geo_distance`, `datetime`,
 * `datetime_key`, `lin_decay`, `exp_decay`, `gauss_decay`). Chosen by key, like Qdrant's untagged
 * enum, so a wrong operand is reported where it is.
 */
export function toFormula(wire: unknown, defaults: Record<string, unknown> | null | undefined): Formula {
  return { expression: toExpression(wire, 'query.formula'), defaults: (defaults ?? {}) as Record<string, JsonValue> };
}

const UNARY = ['neg', 'abs', 'sqrt', 'exp', 'log10', 'ln'] as const;
const DECAYS = { lin_decay: 'lin', exp_decay: 'exp', gauss_decay: 'gauss' } as const;

function fail(at: string, what: string): never {
  throw new FormatError(`${what} at \`${at}\``);
}

function toExpression(w: unknown, at: string): Expression {
  if (typeof w === 'number') return { kind: 'constant', value: w };
  if (typeof w === 'string') return toVariable(w, at);
  if (typeof w !== 'object' || w === null || Array.isArray(w)) fail(at, 'Expected a number, a variable, a condition or an expression object');
  const o = w as Record<string, unknown>;
  if ('mult' in o || 'sum' in o) {
    const kind = 'mult' in o ? 'mult' : 'sum';
    const items = o[kind];
    if (!Array.isArray(items)) fail(`${at}.${kind}`, 'Expected a list of expressions');
    return { kind, items: items.map((x, i) => toExpression(x, `${at}.${kind}[${i}]`)) };
  }
  for (const op of UNARY) if (op in o) return { kind: op, arg: toExpression(o[op], `${at}.${op}`) };
  if ('div' in o) {
    const d = object(o.div, `${at}.div`);
    const out: Expression = { kind: 'div', left: toExpression(d.left, `${at}.div.left`), right: toExpression(d.right, `${at}.div.right`) };
    if (typeof d.by_zero_default === 'number') out.byZeroDefault = d.by_zero_default;
    return out;
  }
  if ('pow' in o) {
    const p = object(o.pow, `${at}.pow`);
    return { kind: 'pow', base: toExpression(p.base, `${at}.pow.base`), exponent: toExpression(p.exponent, `${at}.pow.exponent`) };
  }
  if ('geo_distance' in o) {
    const g = object(o.geo_distance, `${at}.geo_distance`);
    const origin = object(g.origin, `${at}.geo_distance.origin`);
    if (typeof origin.lon !== 'number' || typeof origin.lat !== 'number' || typeof g.to !== 'string') fail(`${at}.geo_distance`, 'Expected `origin: {lon, lat}` and `to: <payload key>`');
    return { kind: 'geo_distance', origin: { lon: origin.lon, lat: origin.lat }, to: toPath(g.to) };
  }
  if ('datetime' in o) {
    if (typeof o.datetime !== 'string') fail(`${at}.datetime`, 'Expected a date-time string');
    const t = parseDateTime(o.datetime);
    if (Number.isNaN(t)) throw new WrongInputError(`'${o.datetime}' is not in a supported date/time format, please use RFC 3339`);
    return { kind: 'datetime', seconds: t / 1000 };
  }
  if ('datetime_key' in o) {
    if (typeof o.datetime_key !== 'string') fail(`${at}.datetime_key`, 'Expected a payload key');
    return { kind: 'datetime_key', path: toPath(o.datetime_key) };
  }
  for (const [key, decay] of Object.entries(DECAYS)) {
    if (!(key in o)) continue;
    const d = object(o[key], `${at}.${key}`);
    const num = (v: unknown, name: string) => (v === null || v === undefined ? undefined : typeof v === 'number' ? v : fail(`${at}.${key}.${name}`, 'Expected a number'));
    const out: Expression = { kind: 'decay', decay, x: toExpression(d.x, `${at}.${key}.x`), lambda: decayLambda(decay, num(d.midpoint, 'midpoint'), num(d.scale, 'scale')) };
    if (d.target !== null && d.target !== undefined) out.target = toExpression(d.target, `${at}.${key}.target`);
    return out;
  }
  const condition = conditionSchema.safeParse(o);
  if (!condition.success) fail(at, describeIssue(condition.error.issues[0]!));
  return { kind: 'condition', condition: toCondition(condition.data, at) };
}

function object(v: unknown, at: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(at, 'Expected an object');
  return v as Record<string, unknown>;
}

function toVariable(name: string, at: string): Expression {
  if (!name.startsWith('$score')) return { kind: 'payload', path: toPath(name) };
  const m = /^\$score(?:\[(\d+)\])?$/.exec(name);
  if (!m) fail(at, `Invalid score pattern: ${name}`);
  return { kind: 'score', prefetch: m[1] === undefined ? 0 : Number(m[1]), name };
}
