/**
 * A point's vector of one name, in engine form. Dense vectors are Float32Arrays; sparse vectors
 * keep their indices sorted ascending and unique (Qdrant sorts them on write); a multivector is a
 * list of dense vectors of the same dimension.
 */
export interface DenseVector {
  kind: 'dense';
  values: Float32Array;
}

export interface SparseVector {
  kind: 'sparse';
  indices: Uint32Array;
  values: Float32Array;
}

export interface MultiVector {
  kind: 'multi';
  vectors: Float32Array[];
}

export type VectorValue = DenseVector | SparseVector | MultiVector;

export function dense(values: Float32Array): DenseVector {
  return { kind: 'dense', values };
}

export function sparse(indices: ArrayLike<number>, values: ArrayLike<number>): SparseVector {
  return { kind: 'sparse', indices: Uint32Array.from(indices), values: Float32Array.from(values) };
}

export function multi(vectors: Float32Array[]): MultiVector {
  return { kind: 'multi', vectors };
}

/**
 * The sparse vector with indices sorted ascending. Duplicate indices are an error (Qdrant:
 * `must be unique`); returns the error text instead of throwing so callers choose the error class.
 */
export function sortSparse(v: SparseVector): SparseVector | { error: string } {
  if (v.indices.length !== v.values.length) return { error: 'indices and values must be the same length' };
  let sorted = true;
  for (let i = 1; i < v.indices.length; i++) {
    if (v.indices[i]! <= v.indices[i - 1]!) {
      sorted = false;
      break;
    }
  }
  if (sorted) return v;
  const order = Array.from(v.indices.keys()).sort((a, b) => v.indices[a]! - v.indices[b]!);
  const indices = new Uint32Array(order.length);
  const values = new Float32Array(order.length);
  order.forEach((from, to) => {
    indices[to] = v.indices[from]!;
    values[to] = v.values[from]!;
  });
  for (let i = 1; i < indices.length; i++) if (indices[i] === indices[i - 1]) return { error: 'indices must be unique' };
  return { kind: 'sparse', indices, values };
}

/** A deep copy (stored vectors are handed out as copies so callers can keep or change them). */
export function copyVector(v: VectorValue): VectorValue {
  switch (v.kind) {
    case 'dense':
      return { kind: 'dense', values: v.values.slice() };
    case 'sparse':
      return { kind: 'sparse', indices: v.indices.slice(), values: v.values.slice() };
    case 'multi':
      return { kind: 'multi', vectors: v.vectors.map((x) => x.slice()) };
  }
}
