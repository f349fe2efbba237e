import type { Operation } from './operations.js';

/**
 * Operation ⇄ bytes for the operation log. Operations are plain data plus a few non-JSON types:
 * typed arrays (vectors), Maps (vectors by name), Sets (has_id), non-finite numbers. The record is
 * `[u32 json length][json][binary tail]`: typed arrays go to the tail as raw little-endian bytes
 * (no base64, no number printing) and the JSON holds a tagged reference to them. A user object
 * that happens to own the tag key is escaped, so any payload round-trips exactly.
 */
const TAG = '\u0000t';

type Tagged =
  | { [TAG]: 'f32' | 'u32'; i: number }
  | { [TAG]: 'map'; v: Array<[unknown, unknown]> }
  | { [TAG]: 'set'; v: unknown[] }
  | { [TAG]: 'num'; v: string }
  | { [TAG]: 'obj'; v: Array<[string, unknown]> };

export function encodeOperation(op: Operation): Buffer {
  const arrays: Array<Float32Array | Uint32Array> = [];
  const json = JSON.stringify(op, function (this: unknown, _key: string, value: unknown): unknown {
    if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0) ? value : ({ [TAG]: 'num', v: Object.is(value, -0) ? '-0' : String(value) } satisfies Tagged);
    if (value === null || typeof value !== 'object') return value;
    if (value instanceof Float32Array) {
      arrays.push(value);
      return { [TAG]: 'f32', i: arrays.length - 1 } satisfies Tagged;
    }
    if (value instanceof Uint32Array) {
      arrays.push(value);
      return { [TAG]: 'u32', i: arrays.length - 1 } satisfies Tagged;
    }
    if (value instanceof Map) return { [TAG]: 'map', v: [...value] } satisfies Tagged;
    if (value instanceof Set) return { [TAG]: 'set', v: [...value] } satisfies Tagged;
    if (!Array.isArray(value) && Object.hasOwn(value, TAG)) return { [TAG]: 'obj', v: Object.entries(value) } satisfies Tagged;
    return value;
  });
  const jsonBytes = Buffer.from(json, 'utf8');
  // Tail: per array [u32 byte length][bytes], 4-byte aligned after the JSON.
  const pad = (4 - ((4 + jsonBytes.length) % 4)) % 4;
  let tailLength = 0;
  for (const a of arrays) tailLength += 4 + a.byteLength;
  const out = Buffer.allocUnsafe(4 + jsonBytes.length + pad + tailLength);
  out.writeUInt32LE(jsonBytes.length, 0);
  jsonBytes.copy(out, 4);
  out.fill(0, 4 + jsonBytes.length, 4 + jsonBytes.length + pad);
  let at = 4 + jsonBytes.length + pad;
  for (const a of arrays) {
    out.writeUInt32LE(a.byteLength, at);
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).copy(out, at + 4);
    at += 4 + a.byteLength;
  }
  return out;
}

export function decodeOperation(bytes: Buffer): Operation {
  const jsonLength = bytes.readUInt32LE(0);
  const json = bytes.toString('utf8', 4, 4 + jsonLength);
  let at = 4 + jsonLength + ((4 - ((4 + jsonLength) % 4)) % 4);
  const chunks: Buffer[] = [];
  while (at < bytes.length) {
    const n = bytes.readUInt32LE(at);
    chunks.push(bytes.subarray(at + 4, at + 4 + n));
    at += 4 + n;
  }
  return JSON.parse(json, (_key, value: unknown) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, TAG)) return value;
    const t = value as Tagged;
    switch (t[TAG]) {
      case 'f32': {
        const chunk = chunks[t.i]!;
        const out = new Float32Array(chunk.length / 4);
        Buffer.from(out.buffer).set(chunk);
        return out;
      }
      case 'u32': {
        const chunk = chunks[t.i]!;
        const out = new Uint32Array(chunk.length / 4);
        Buffer.from(out.buffer).set(chunk);
        return out;
      }
      case 'map':
        return new Map(t.v);
      case 'set':
        return new Set(t.v);
      case 'num':
        return Number(t.v);
      case 'obj': {
        const obj: Record<string, unknown> = {};
        for (const [k, v] of t.v) Object.defineProperty(obj, k, { value: v, enumerable: true, writable: true, configurable: true });
        return obj;
      }
    }
  }) as Operation;
}
