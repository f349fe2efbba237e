import { WrongInputError } from '../errors.js';
import { preprocess, type Distance } from '../index/distance.js';
import { sortSparse, type VectorValue } from '../segment/vector-value.js';
import { sparseSpecs, vectorSpecs, type CollectionConfig } from './config.js';

/** What a vector name holds: dense vectors, multivectors (both with a size and distance) or sparse vectors. */
export type VectorKindSpec = { kind: 'dense' | 'multi'; size: number; distance: Distance } | { kind: 'sparse'; idf: boolean };

export function vectorSchema(config: CollectionConfig): Map<string, VectorKindSpec> {
  const out = new Map<string, VectorKindSpec>();
  for (const [name, s] of vectorSpecs(config)) out.set(name, { kind: s.multivector ? 'multi' : 'dense', size: s.size, distance: s.distance });
  for (const [name, s] of sparseSpecs(config)) out.set(name, { kind: 'sparse', idf: s.modifier === 'idf' });
  return out;
}

export function specOf(schema: ReadonlyMap<string, VectorKindSpec>, name: string): VectorKindSpec {
  const spec = schema.get(name);
  if (!spec) throw new WrongInputError(`Not existing vector name error: ${name}`, 'VECTOR_NAME_UNKNOWN');
  return spec;
}

function dimensionError(expected: number, got: number): WrongInputError {
  return new WrongInputError(`Vector dimension error: expected dim: ${expected}, got ${got}`, 'VECTOR_DIMENSION');
}

/**
 * Checks a vector against its name's spec (kind, dimensions, sparse indices) and returns it as
 * stored: Cosine vectors normalised, sparse indices sorted. Used for writes and for queries.
 */
export function prepareVector(name: string, spec: VectorKindSpec, v: VectorValue): VectorValue {
  switch (spec.kind) {
    case 'dense':
      if (v.kind === 'multi' && v.vectors.length === 1) return prepareVector(name, spec, { kind: 'dense', values: v.vectors[0]! });
      if (v.kind !== 'dense') throw new WrongInputError(`Wrong vector type for vector \`${name}\`: expected a dense vector, got a ${v.kind} vector`, 'VECTOR_KIND');
      if (v.values.length !== spec.size) throw dimensionError(spec.size, v.values.length);
      return { kind: 'dense', values: preprocess(spec.distance, v.values) };
    case 'multi': {
      const vectors = v.kind === 'dense' ? [v.values] : v.kind === 'multi' ? v.vectors : undefined;
      if (!vectors) throw new WrongInputError(`Wrong vector type for vector \`${name}\`: expected a multivector, got a sparse vector`, 'VECTOR_KIND');
      if (vectors.length === 0) throw new WrongInputError(`Multivector \`${name}\` must not be empty`, 'VECTOR_EMPTY');
      for (const x of vectors) if (x.length !== spec.size) throw dimensionError(spec.size, x.length);
      return { kind: 'multi', vectors: vectors.map((x) => preprocess(spec.distance, x)) };
    }
    case 'sparse': {
      if (v.kind !== 'sparse') throw new WrongInputError(`Wrong vector type for vector \`${name}\`: expected a sparse vector, got a ${v.kind} vector`, 'VECTOR_KIND');
      const sorted = sortSparse(v);
      if ('error' in sorted) throw new WrongInputError(`Sparse vector \`${name}\`: ${sorted.error}`, 'VECTOR_SPARSE');
      return sorted;
    }
  }
}
