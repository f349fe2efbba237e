/**
 * Payload key paths, with Qdrant's syntax and semantics: `a.b.c` walks into objects, `a[]` projects
 * every array element, `a[2]` picks one, and `"key.with.dots"` quotes a key. Intermediate arrays are
 * only walked with `[]`; a leaf array is returned as one value (conditions then look at its elements).
 */
export type JsonPathItem = { kind: 'key'; key: string } | { kind: 'index'; index: number } | { kind: 'wildcard' };

export interface JsonPath {
  readonly text: string;
  readonly items: readonly JsonPathItem[];
}

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Parses a path; returns an error text for invalid ones. */
export function parseJsonPath(text: string): JsonPath | { error: string } {
  const items: JsonPathItem[] = [];
  let i = 0;
  const bad = () => ({ error: `Invalid JSON path "${text}"` });
  const readKey = (): string | undefined => {
    if (text[i] === '"') {
      const end = text.indexOf('"', i + 1);
      if (end < 0) return undefined;
      const key = text.slice(i + 1, end);
      i = end + 1;
      return key;
    }
    const start = i;
    while (i < text.length && !'.[]"'.includes(text[i]!)) i++;
    return i > start ? text.slice(start, i) : undefined;
  };
  const first = readKey();
  if (first === undefined) return bad();
  items.push({ kind: 'key', key: first });
  while (i < text.length) {
    const c = text[i];
    if (c === '.') {
      i++;
      const key = readKey();
      if (key === undefined) return bad();
      items.push({ kind: 'key', key });
    } else if (c === '[') {
      const end = text.indexOf(']', i);
      if (end < 0) return bad();
      const inner = text.slice(i + 1, end);
      if (inner === '') items.push({ kind: 'wildcard' });
      else if (/^\d+$/.test(inner)) items.push({ kind: 'index', index: Number(inner) });
      else return bad();
      i = end + 1;
    } else {
      return bad();
    }
  }
  return { text, items };
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Own-property read (never reaches Object.prototype, even for `__proto__`). */
export function own(obj: JsonObject, key: string): JsonValue | undefined {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** Own-property write that cannot touch prototypes. */
export function setOwn(obj: JsonObject, key: string, value: JsonValue): void {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
}

/** Every value the path selects in `payload`. */
export function getValues(payload: JsonObject, path: JsonPath): JsonValue[] {
  const out: JsonValue[] = [];
  walk(payload, path.items, 0, out);
  return out;
}

function walk(value: JsonValue | undefined, items: readonly JsonPathItem[], at: number, out: JsonValue[]): void {
  if (value === undefined) return;
  if (at === items.length) {
    out.push(value);
    return;
  }
  const item = items[at]!;
  switch (item.kind) {
    case 'key':
      if (isObject(value)) walk(own(value, item.key), items, at + 1, out);
      return;
    case 'index':
      if (Array.isArray(value)) walk(value[item.index], items, at + 1, out);
      return;
    case 'wildcard':
      if (Array.isArray(value)) for (const v of value) walk(v, items, at + 1, out);
      return;
  }
}

/** Removes what the path selects (in place). */
export function removePath(payload: JsonObject, path: JsonPath): void {
  removeAt(payload, path.items, 0);
}

function removeAt(value: JsonValue | undefined, items: readonly JsonPathItem[], at: number): void {
  if (value === undefined) return;
  const item = items[at]!;
  const last = at === items.length - 1;
  switch (item.kind) {
    case 'key':
      if (!isObject(value) || !Object.hasOwn(value, item.key)) return;
      if (last) delete value[item.key];
      else removeAt(value[item.key], items, at + 1);
      return;
    case 'index':
      if (!Array.isArray(value) || item.index >= value.length) return;
      if (last) value.splice(item.index, 1);
      else removeAt(value[item.index], items, at + 1);
      return;
    case 'wildcard':
      if (!Array.isArray(value)) return;
      if (last) value.length = 0;
      else for (const v of value) removeAt(v, items, at + 1);
      return;
  }
}

/**
 * Applies `update` to every object the path designates, creating missing objects along plain key
 * paths (used by set/overwrite payload with a `key`). `update` receives the current object (or
 * undefined) and returns the new value.
 */
export function updateAt(payload: JsonObject, path: JsonPath, update: (current: JsonValue | undefined) => JsonValue): void {
  updateRec(payload, path.items, 0, update);
}

function updateRec(container: JsonValue, items: readonly JsonPathItem[], at: number, update: (current: JsonValue | undefined) => JsonValue): void {
  const item = items[at]!;
  const last = at === items.length - 1;
  switch (item.kind) {
    case 'key': {
      if (!isObject(container)) return;
      const current = own(container, item.key);
      if (last) {
        setOwn(container, item.key, update(current));
      } else {
        let next = current;
        if (next === undefined || (!isObject(next) && !Array.isArray(next))) {
          next = items[at + 1]!.kind === 'key' ? {} : [];
          setOwn(container, item.key, next);
        }
        updateRec(next, items, at + 1, update);
      }
      return;
    }
    case 'index': {
      if (!Array.isArray(container) || item.index >= container.length) return;
      if (last) container[item.index] = update(container[item.index]);
      else updateRec(container[item.index]!, items, at + 1, update);
      return;
    }
    case 'wildcard': {
      if (!Array.isArray(container)) return;
      for (let i = 0; i < container.length; i++) {
        if (last) container[i] = update(container[i]);
        else updateRec(container[i]!, items, at + 1, update);
      }
      return;
    }
  }
}

/** Deep copy of JSON data (payloads are copied before an update so a failed write changes nothing). */
export function cloneJson<T extends JsonValue>(value: T): T {
  return structuredClone(value);
}
