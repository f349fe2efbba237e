import type { ConfigPatch } from '../../collection/config.js';
import type { NewVectorParams, PayloadFieldSchema, PayloadSchemaType } from '../../collection/operations.js';
import { ValidationError } from '../../errors.js';
import type { UpdateCollectionWire, VectorNameConfigWire } from '../schemas/collection.js';
import type { CreateFieldIndexWire } from '../schemas/index.js';
import { toSparseSpec } from './collection.js';

/** PATCH bodies, new named vectors and payload index definitions → engine forms. */
const MAX_DIM = 65536;

export function toConfigPatch(wire: UpdateCollectionWire): ConfigPatch {
  const patch: ConfigPatch = {};
  if (wire.vectors) {
    const vectors: Record<string, Record<string, unknown>> = {};
    for (const [name, diff] of Object.entries(wire.vectors)) {
      const d: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(diff)) if (v !== undefined) d[k] = v;
      Object.defineProperty(vectors, name, { value: d, enumerable: true });
    }
    patch.vectors = vectors;
  }
  if (wire.sparse_vectors) {
    const sparse: NonNullable<ConfigPatch['sparseVectors']> = {};
    for (const [name, p] of Object.entries(wire.sparse_vectors)) {
      Object.defineProperty(sparse, name, { value: { ...(p.modifier ? { modifier: p.modifier } : {}), ...(p.index ? { index: p.index } : {}) }, enumerable: true });
    }
    patch.sparseVectors = sparse;
  }
  if (wire.params) patch.params = wire.params;
  if (wire.hnsw_config) patch.hnsw_config = wire.hnsw_config;
  if (wire.optimizers_config) patch.optimizers_config = wire.optimizers_config;
  if (wire.quantization_config !== undefined) patch.quantization_config = wire.quantization_config;
  if (wire.strict_mode_config) patch.strict_mode_config = wire.strict_mode_config;
  if (wire.metadata) patch.metadata = wire.metadata;
  return patch;
}

export function toNewVector(wire: VectorNameConfigWire): NewVectorParams {
  if ('dense' in wire) {
    const d = wire.dense;
    if (d.size > MAX_DIM) throw new ValidationError([{ field: 'dense.size', message: `value ${d.size} invalid, must be from 1 to ${MAX_DIM}` }]);
    const extra: Record<string, unknown> = {};
    if (d.datatype) extra.datatype = d.datatype;
    return { kind: 'dense', spec: { size: d.size, distance: d.distance, extra, ...(d.multivector_config ? { multivector: { comparator: 'max_sim' as const } } : {}) } };
  }
  return { kind: 'sparse', spec: toSparseSpec({ modifier: wire.sparse.modifier ?? null }) };
}

export function toFieldSchema(wire: CreateFieldIndexWire): PayloadFieldSchema {
  const schema = wire.field_schema;
  if (schema === null || schema === undefined) throw new ValidationError([{ field: 'field_schema', message: 'field_schema is required to create a payload index' }]);
  if (typeof schema === 'string') return { type: schema as PayloadSchemaType };
  const { type, ...params } = schema;
  const clean: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined) clean[k] = v;
  return { type: type as PayloadSchemaType, params: { type, ...clean } };
}
