/**
 * Point ids, as Qdrant has them: an unsigned integer or a UUID. Engine form: a JS number (safe
 * integer ≥ 0) or the UUID as lowercase hyphenated text. UUIDs are accepted in every form the Rust
 * `uuid` crate parses (simple, hyphenated, braced, urn), in any case.
 * Ordering is Qdrant's: every integer before every UUID; integers numerically, UUIDs by their bytes
 * (which is the order of their lowercase hex text).
 */
export type PointId = number | string;

const HYPHENATED = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SIMPLE = /^[0-9a-f]{32}$/;

/** Normalises a UUID text to lowercase hyphenated form, or undefined if it is not a UUID. */
export function normaliseUuid(text: string): string | undefined {
  let t = text.toLowerCase();
  if (t.startsWith('urn:uuid:')) t = t.slice(9);
  else if (t.startsWith('{') && t.endsWith('}')) t = t.slice(1, -1);
  if (HYPHENATED.test(t)) return t;
  if (SIMPLE.test(t)) return `${t.slice(0, 8)}-${t.slice(8, 12)}-${t.slice(12, 16)}-${t.slice(16, 20)}-${t.slice(20)}`;
  return undefined;
}

export type PointIdParse = { ok: true; id: PointId } | { ok: false; reason: 'invalid' | 'too_large' };

/** A point id from a JSON value (request body). */
export function parsePointId(value: unknown): PointIdParse {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0) return { ok: false, reason: 'invalid' };
    if (!Number.isSafeInteger(value)) return { ok: false, reason: 'too_large' };
    return { ok: true, id: value };
  }
  if (typeof value === 'string') {
    const uuid = normaliseUuid(value);
    return uuid ? { ok: true, id: uuid } : { ok: false, reason: 'invalid' };
  }
  return { ok: false, reason: 'invalid' };
}

/** A point id from URL text: decimal digits are an integer, anything else must be a UUID. */
export function parsePointIdText(text: string): PointIdParse {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return Number.isSafeInteger(n) ? { ok: true, id: n } : { ok: false, reason: 'too_large' };
  }
  const uuid = normaliseUuid(text);
  return uuid ? { ok: true, id: uuid } : { ok: false, reason: 'invalid' };
}

/** Map key of an id; integers and UUIDs never collide (a UUID always contains `-`). */
export function pointIdKey(id: PointId): string {
  return typeof id === 'number' ? String(id) : id;
}

/** Inverse of `pointIdKey`. */
export function pointIdFromKey(key: string): PointId {
  return key.includes('-') ? key : Number(key);
}

export function comparePointIds(a: PointId, b: PointId): number {
  if (typeof a === 'number') {
    if (typeof b === 'number') return a - b;
    return -1;
  }
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
