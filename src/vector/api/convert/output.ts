import { DEFAULT_VECTOR } from '../../collection/config.js';
import type { PayloadSelector, PointRecord, VectorSelector } from '../../collection/records.js';
import type { ReadOptions } from '../../collection/requests.js';
import { setOwn, type JsonObject, type JsonPath, type JsonPathItem, type JsonValue } from '../../segment/json-path.js';
import type { VectorValue } from '../../segment/vector-value.js';
import type { WithPayloadWire, WithVectorWire } from '../schemas/common.js';
import { f32, f32Array } from './f32.js';
import { toPath } from './filter.js';

/**
 * What a read returns and how points are written on the wire. `with_payload` include/exclude
 * selectors follow Qdrant's rules: a key path is kept by an include pattern when one is a prefix
 * of the other (`a.b` keeps `a` → `{a: {b}}`; array elements are the path item `[]`), and dropped
 * by an exclude pattern that is a prefix of it. The collection reads whole payloads; the
 * selection happens here, on copies.
 */
export interface Output {
  read: ReadOptions;
  /** Applied to every returned payload (identity when the selector is all or none). */
  selectPayload: (payload: JsonObject) => JsonObject;
}

const identity = (p: JsonObject) => p;

export function toOutput(withPayload: WithPayloadWire | null | undefined, withVector: WithVectorWire | null | undefined, payloadByDefault: boolean): Output {
  return { ...payloadOutput(withPayload), read: { withPayload: payloadSelectorOf(withPayload, payloadByDefault), withVector: toVectorSelector(withVector, false) } };
}

export function payloadOutput(wire: WithPayloadWire | null | undefined): { selectPayload: (p: JsonObject) => JsonObject } {
  if (wire === null || wire === undefined || typeof wire === 'boolean') return { selectPayload: identity };
  if (Array.isArray(wire)) return { selectPayload: include(wire.map(toPath)) };
  if ('include' in wire) return { selectPayload: include(wire.include.map(toPath)) };
  return { selectPayload: exclude(wire.exclude.map(toPath)) };
}

/** The collection-side selector: whole payload or none (selection of keys happens in `selectPayload`). */
function payloadSelectorOf(wire: WithPayloadWire | null | undefined, byDefault: boolean): PayloadSelector {
  if (wire === null || wire === undefined) return { kind: byDefault ? 'all' : 'none' };
  if (typeof wire === 'boolean') return { kind: wire ? 'all' : 'none' };
  return { kind: 'all' };
}

export function toVectorSelector(wire: WithVectorWire | null | undefined, fallback: boolean): VectorSelector {
  if (wire === null || wire === undefined) return { kind: fallback ? 'all' : 'none' };
  if (typeof wire === 'boolean') return { kind: wire ? 'all' : 'none' };
  return { kind: 'names', names: new Set(wire) };
}

type Item = JsonPathItem;

function sameItem(a: Item, b: Item): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'key') return a.key === (b as { key: string }).key;
  if (a.kind === 'index') return a.index === (b as { index: number }).index;
  return true;
}

function include(patterns: JsonPath[]): (p: JsonObject) => JsonObject {
  return (payload) =>
    filterObject(payload, [], (path) => patterns.some((pattern) => {
      const n = Math.min(pattern.items.length, path.length);
      for (let i = 0; i < n; i++) if (!sameItem(pattern.items[i]!, path[i]!)) return false;
      return true;
    }));
}

function exclude(patterns: JsonPath[]): (p: JsonObject) => JsonObject {
  return (payload) =>
    filterObject(payload, [], (path) => !patterns.some((pattern) => {
      if (pattern.items.length > path.length) return false;
      for (let i = 0; i < pattern.items.length; i++) if (!sameItem(pattern.items[i]!, path[i]!)) return false;
      return true;
    }));
}

function filterObject(obj: JsonObject, path: Item[], keep: (path: Item[]) => boolean): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(obj)) {
    path.push({ kind: 'key', key });
    if (keep(path)) setOwn(out, key, filterValue(value, path, keep));
    path.pop();
  }
  return out;
}

function filterValue(value: JsonValue, path: Item[], keep: (path: Item[]) => boolean): JsonValue {
  if (Array.isArray(value)) {
    path.push({ kind: 'wildcard' });
    const out = keep(path) ? value.map((v) => filterValue(v, path, keep)) : [];
    path.pop();
    return out;
  }
  if (value !== null && typeof value === 'object') return filterObject(value, path, keep);
  return value;
}

/** Qdrant's Record: `id`, then `payload`, `vector`, `order_value` when present. */
export function recordWire(r: PointRecord, singleVector: boolean, select: (p: JsonObject) => JsonObject = identity): Record<string, unknown> {
  const out: Record<string, unknown> = { id: r.id };
  addBody(out, r, singleVector, select);
  return out;
}

/** Qdrant's ScoredPoint: `id`, `version`, `score`, then `payload`, `vector`, `order_value` when present. */
export function scoredPointWire(r: PointRecord, singleVector: boolean, select: (p: JsonObject) => JsonObject = identity): Record<string, unknown> {
  const out: Record<string, unknown> = { id: r.id, version: r.version, score: f32(r.score ?? 0) };
  addBody(out, r, singleVector, select);
  return out;
}

function addBody(out: Record<string, unknown>, r: PointRecord, singleVector: boolean, select: (p: JsonObject) => JsonObject): void {
  if (r.payload) out.payload = select(r.payload);
  if (r.vectors) {
    const only = r.vectors.size === 1 ? r.vectors.get(DEFAULT_VECTOR) : undefined;
    if (only && singleVector) {
      out.vector = vectorWire(only);
    } else {
      out.vector = Object.fromEntries([...r.vectors].map(([n, v]) => [n, vectorWire(v)]));
    }
  }
  if (r.orderValue !== undefined) out.order_value = r.orderValue;
}

/** A stored vector as Qdrant writes it: dense list, `{indices, values}`, or list of lists. */
export function vectorWire(v: VectorValue): unknown {
  switch (v.kind) {
    case 'dense':
      return f32Array(v.values);
    case 'sparse':
      return { indices: [...v.indices], values: f32Array(v.values) };
    case 'multi':
      return v.vectors.map((x) => f32Array(x));
  }
}
