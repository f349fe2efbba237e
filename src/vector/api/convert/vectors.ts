import { BadRequestError, ValidationError } from '../../errors.js';
import { dense, multi, sortSparse, sparse, type VectorValue } from '../../segment/vector-value.js';
import type { VectorInput } from '../../query/model.js';
import type { SparseWire, VectorInputWire, VectorValueWire } from '../schemas/vectors.js';

/** Wire vectors → engine vectors, with Qdrant's validation of sparse and multi vectors. */
export function toVectorValue(wire: VectorValueWire, field: string): VectorValue {
  if (isSparse(wire)) return toSparse(wire, field);
  if (wire.length > 0 && Array.isArray(wire[0])) return toMulti(wire as number[][], field);
  return dense(Float32Array.from(wire as number[]));
}

export function toVectorInput(wire: VectorInputWire, field: string): VectorInput {
  if (typeof wire === 'number' || typeof wire === 'string') return { kind: 'id', id: wire };
  if ('inference' in wire) throw new BadRequestError('Inference is not supported by Phoenix: documents, images and objects must be sent as vectors', 'VECTOR_INFERENCE');
  return toVectorValue(wire, field);
}

function isSparse(wire: VectorValueWire): wire is SparseWire {
  return !Array.isArray(wire);
}

export function toSparse(wire: SparseWire, field: string): VectorValue {
  if (wire.indices.length !== wire.values.length) throw new ValidationError([{ field: `${field}.values`, message: 'Validation error: must be the same length as indices [{}]' }]);
  const sorted = sortSparse(sparse(wire.indices, wire.values));
  if ('error' in sorted) throw new ValidationError([{ field: `${field}.indices`, message: 'Validation error: must be unique [{}]' }]);
  return sorted;
}

function toMulti(wire: number[][], field: string): VectorValue {
  const dim = wire[0]!.length;
  if (dim === 0) throw new ValidationError([{ field, message: 'Validation error: multi vectors must not be empty [{}]' }]);
  if (wire.some((v) => v.length !== dim)) throw new ValidationError([{ field, message: 'Validation error: all vectors must have the same dimension [{}]' }]);
  return multi(wire.map((v) => Float32Array.from(v)));
}
