import type { VectorValue } from '../segment/vector-value.js';

/**
 * A point's vectors as bytes, for the checkpoint store. Per vector: `[u16 name length][name utf-8]
 * [u8 kind][f64 version]` then, little-endian, dense `[u32 dim][f32 × dim]`, sparse
 * `[u32 n][u32 × n indices][f32 × n values]`, multi `[u32 count][u32 dim][f32 × count·dim]`.
 */
export interface EncodedVector {
  vector: VectorValue;
  version: number;
}

const KINDS = ['dense', 'sparse', 'multi'] as const;

export function encodeVectors(vectors: ReadonlyMap<string, EncodedVector>): Buffer {
  let size = 0;
  const names = new Map<string, Buffer>();
  for (const [name, { vector }] of vectors) {
    const nameBytes = Buffer.from(name, 'utf8');
    names.set(name, nameBytes);
    size += 2 + nameBytes.length + 1 + 8;
    switch (vector.kind) {
      case 'dense':
        size += 4 + vector.values.byteLength;
        break;
      case 'sparse':
        size += 4 + vector.indices.byteLength + vector.values.byteLength;
        break;
      case 'multi':
        size += 8 + vector.vectors.reduce((n, v) => n + v.byteLength, 0);
        break;
    }
  }
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  const put = (a: Float32Array | Uint32Array) => {
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).copy(out, at);
    at += a.byteLength;
  };
  for (const [name, { vector, version }] of vectors) {
    const nameBytes = names.get(name)!;
    out.writeUInt16LE(nameBytes.length, at);
    nameBytes.copy(out, at + 2);
    at += 2 + nameBytes.length;
    out.writeUInt8(KINDS.indexOf(vector.kind), at);
    out.writeDoubleLE(version, at + 1);
    at += 9;
    switch (vector.kind) {
      case 'dense':
        out.writeUInt32LE(vector.values.length, at);
        at += 4;
        put(vector.values);
        break;
      case 'sparse':
        out.writeUInt32LE(vector.indices.length, at);
        at += 4;
        put(vector.indices);
        put(vector.values);
        break;
      case 'multi':
        out.writeUInt32LE(vector.vectors.length, at);
        out.writeUInt32LE(vector.vectors[0]?.length ?? 0, at + 4);
        at += 8;
        for (const v of vector.vectors) put(v);
        break;
    }
  }
  return out;
}

export function decodeVectors(bytes: Buffer): Map<string, EncodedVector> {
  const out = new Map<string, EncodedVector>();
  let at = 0;
  const f32 = (n: number) => {
    const a = new Float32Array(n);
    Buffer.from(a.buffer).set(bytes.subarray(at, at + n * 4));
    at += n * 4;
    return a;
  };
  const u32 = (n: number) => {
    const a = new Uint32Array(n);
    Buffer.from(a.buffer).set(bytes.subarray(at, at + n * 4));
    at += n * 4;
    return a;
  };
  while (at < bytes.length) {
    const nameLength = bytes.readUInt16LE(at);
    const name = bytes.toString('utf8', at + 2, at + 2 + nameLength);
    at += 2 + nameLength;
    const kind = KINDS[bytes.readUInt8(at)];
    const version = bytes.readDoubleLE(at + 1);
    at += 9;
    let vector: VectorValue;
    switch (kind) {
      case 'dense': {
        const dim = bytes.readUInt32LE(at);
        at += 4;
        vector = { kind, values: f32(dim) };
        break;
      }
      case 'sparse': {
        const n = bytes.readUInt32LE(at);
        at += 4;
        const indices = u32(n);
        vector = { kind, indices, values: f32(n) };
        break;
      }
      case 'multi': {
        const count = bytes.readUInt32LE(at);
        const dim = bytes.readUInt32LE(at + 4);
        at += 8;
        const vectors: Float32Array[] = [];
        for (let i = 0; i < count; i++) vectors.push(f32(dim));
        vector = { kind, vectors };
        break;
      }
      default:
        throw new Error(`unknown vector kind in stored point at byte ${at}`);
    }
    out.set(name, { vector, version });
  }
  return out;
}
