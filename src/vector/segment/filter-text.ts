/**
 * Helpers of filter evaluation that are not about payload paths: the default word tokenizer used
 * by `text` / `text_any` / `phrase` matches on fields without a full-text index, and the
 * deterministic id slices of the `slice` condition.
 */

const WORD = /[\p{L}\p{N}\p{M}]+/gu;

/** Qdrant's default `word` tokenizer without an index: maximal runs of letters and digits, lowercased. */
export function textTokens(text: string): string[] {
  return Array.from(text.matchAll(WORD), (m) => m[0].toLowerCase());
}

const MASK = (1n << 64n) - 1n;

function rotl(x: bigint, b: bigint): bigint {
  return ((x << b) | (x >> (64n - b))) & MASK;
}

/** SipHash-2-4 (the `slice` condition uses the zero key over a point id's bytes). */
export function siphash24(data: Uint8Array, key0 = 0n, key1 = 0n): bigint {
  let v0 = key0 ^ 0x736f6d6570736575n;
  let v1 = key1 ^ 0x646f72616e646f6dn;
  let v2 = key0 ^ 0x6c7967656e657261n;
  let v3 = key1 ^ 0x7465646279746573n;
  const round = () => {
    v0 = (v0 + v1) & MASK;
    v1 = rotl(v1, 13n) ^ v0;
    v0 = rotl(v0, 32n);
    v2 = (v2 + v3) & MASK;
    v3 = rotl(v3, 16n) ^ v2;
    v0 = (v0 + v3) & MASK;
    v3 = rotl(v3, 21n) ^ v0;
    v2 = (v2 + v1) & MASK;
    v1 = rotl(v1, 17n) ^ v2;
    v2 = rotl(v2, 32n);
  };
  const block = (from: number, to: number, last: boolean): bigint => {
    let m = 0n;
    for (let i = to - 1; i >= from; i--) m = (m << 8n) | BigInt(data[i]!);
    if (last) m |= BigInt(data.length & 0xff) << 56n;
    return m;
  };
  const full = data.length - (data.length % 8);
  for (let at = 0; at <= full; at += 8) {
    const last = at === full;
    const m = block(at, last ? data.length : at + 8, last);
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  }
  v2 ^= 0xffn;
  for (let i = 0; i < 4; i++) round();
  return (v0 ^ v1 ^ v2 ^ v3) & MASK;
}

/** Bytes a point id hashes over: 8 little-endian bytes for integers, the 16 RFC 4122 bytes for UUIDs. */
export function pointIdBytes(idKey: string): Uint8Array {
  if (!idKey.includes('-')) {
    const out = new Uint8Array(8);
    let n = BigInt(idKey);
    for (let i = 0; i < 8; i++) {
      out[i] = Number(n & 0xffn);
      n >>= 8n;
    }
    return out;
  }
  const hex = idKey.replace(/-/g, '');
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Index of the slice (out of `total`) a point id falls into. */
export function pointIdSlice(idKey: string, total: number): number {
  return Number(siphash24(pointIdBytes(idKey)) % BigInt(total));
}
