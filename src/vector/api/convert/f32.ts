/**
 * JSON numbers for f32 values, printed the way Qdrant (Rust) prints an f32: the shortest decimal
 * that reads back as the same f32 (so a stored 0.1 comes back as 0.1, not 0.10000000149011612).
 */
export function f32(x: number): number {
  const v = Math.fround(x);
  if (!Number.isFinite(v) || v === 0) return v;
  // Shortest precision that round-trips; round-tripping is monotonic in precision.
  let lo = 1;
  let hi = 9;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (Math.fround(Number(v.toPrecision(mid))) === v) hi = mid;
    else lo = mid + 1;
  }
  return Number(v.toPrecision(lo));
}

export function f32Array(v: Float32Array): number[] {
  const out = new Array<number>(v.length);
  for (let i = 0; i < v.length; i++) out[i] = f32(v[i]!);
  return out;
}
