import { cloneJson, getValues, removePath, setOwn, type JsonObject, type JsonPath, type JsonValue } from '../segment/json-path.js';
import type { PointId } from '../segment/point-id.js';
import type { VectorValue } from '../segment/vector-value.js';

/** Which payload to return with points. */
export type PayloadSelector = { kind: 'all' } | { kind: 'none' } | { kind: 'include'; paths: JsonPath[] } | { kind: 'exclude'; paths: JsonPath[] };

/** Which vectors to return with points (`names` uses `''` for the default vector). */
export type VectorSelector = { kind: 'all' } | { kind: 'none' } | { kind: 'names'; names: ReadonlySet<string> };

/** A point as read back (retrieve, scroll, query results). */
export interface PointRecord {
  id: PointId;
  version: number;
  /** Present when the selector asked for payload. */
  payload?: JsonObject;
  /** Present when the selector asked for vectors. */
  vectors?: Map<string, VectorValue>;
  /** Present for query/search results. */
  score?: number;
  /** The payload value a scroll with `order_by` ordered by. */
  orderValue?: number;
}

export function selectPayload(payload: JsonObject, selector: PayloadSelector): JsonObject | undefined {
  switch (selector.kind) {
    case 'none':
      return undefined;
    case 'all':
      return payload;
    case 'include': {
      const out: JsonObject = {};
      for (const path of selector.paths) copyPath(payload, out, path);
      return out;
    }
    case 'exclude': {
      const out = cloneJson(payload);
      for (const path of selector.paths) removePath(out, path);
      return out;
    }
  }
}

/** Copies the value(s) at a path into `out` at the same place (plain key paths keep nesting). */
function copyPath(from: JsonObject, out: JsonObject, path: JsonPath): void {
  const keysOnly = path.items.every((i) => i.kind === 'key');
  const values = getValues(from, path);
  if (values.length === 0) return;
  if (!keysOnly) {
    const first = path.items[0];
    if (first?.kind === 'key') setOwn(out, first.key, values.length === 1 ? cloneJson(values[0]!) : (values.map((v) => cloneJson(v)) as JsonValue));
    return;
  }
  let target = out;
  const keys = path.items.map((i) => (i.kind === 'key' ? i.key : ''));
  for (let i = 0; i < keys.length - 1; i++) {
    const existing = Object.hasOwn(target, keys[i]!) ? target[keys[i]!] : undefined;
    if (typeof existing !== 'object' || existing === null || Array.isArray(existing)) {
      const next: JsonObject = {};
      setOwn(target, keys[i]!, next);
      target = next;
    } else {
      target = existing;
    }
  }
  setOwn(target, keys[keys.length - 1]!, cloneJson(values[0]!));
}
