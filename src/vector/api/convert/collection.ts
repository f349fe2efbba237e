import {
  DEFAULT_HNSW,
  DEFAULT_OPTIMIZERS,
  DEFAULT_STRICT_MODE,
  DEFAULT_WAL,
  type CollectionConfig,
  type CollectionOptions,
  type SparseVectorSpec,
  type VectorSpec,
} from '../../collection/config.js';
import type { CollectionInfo } from '../../collection/collection.js';
import { ValidationError, WrongInputError } from '../../errors.js';
import type { CreateCollectionWire, VectorParamsWire } from '../schemas/collection.js';

const MAX_DIM = 65536;

/** CreateCollection → engine config: vectors drive storage, the rest is merged with defaults and echoed. */
export function toCollectionConfig(wire: CreateCollectionWire): CollectionConfig {
  const problems: Array<{ field: string; message: string }> = [];
  const spec = (field: string, p: VectorParamsWire): VectorSpec => {
    if (p.size > MAX_DIM) problems.push({ field: `${field}.size`, message: `value ${p.size} invalid, must be from 1 to ${MAX_DIM}` });
    const extra: Record<string, unknown> = {};
    for (const k of ['hnsw_config', 'quantization_config', 'on_disk', 'memory', 'datatype'] as const) {
      if (p[k] !== null && p[k] !== undefined) extra[k] = p[k];
    }
    return { size: p.size, distance: p.distance, extra, ...(p.multivector_config ? { multivector: { comparator: 'max_sim' as const } } : {}) };
  };
  for (const [field, v] of [
    ['shard_number', wire.shard_number],
    ['replication_factor', wire.replication_factor],
    ['write_consistency_factor', wire.write_consistency_factor],
  ] as const) {
    if (v === 0) problems.push({ field, message: 'value 0 invalid, must be 1 or larger' });
  }
  if (wire.init_from !== undefined && wire.init_from !== null) throw new WrongInputError('init_from is not supported (Qdrant removed it in 1.16): copy points with scroll and upsert, or restore a snapshot', 'VECTOR_UNSUPPORTED');

  let vectors: CollectionConfig['vectors'];
  const v = wire.vectors;
  if (v === undefined) vectors = { kind: 'named', specs: {} };
  else if (isSingle(v)) vectors = { kind: 'single', spec: spec('vectors', v) };
  else {
    const specs: Record<string, VectorSpec> = {};
    for (const [name, p] of Object.entries(v)) Object.defineProperty(specs, name, { value: spec(`vectors.${name}`, p), enumerable: true });
    vectors = { kind: 'named', specs };
  }
  if (problems.length > 0) throw new ValidationError(problems);

  const params: Record<string, unknown> = {
    shard_number: wire.shard_number ?? 1,
    replication_factor: wire.replication_factor ?? 1,
    write_consistency_factor: wire.write_consistency_factor ?? 1,
    on_disk_payload: wire.on_disk_payload ?? true,
  };
  if (wire.sharding_method) params.sharding_method = wire.sharding_method;
  if (wire.payload) params.payload = wire.payload;
  const options: CollectionOptions = {
    params,
    hnsw_config: merge(DEFAULT_HNSW, wire.hnsw_config),
    optimizer_config: merge(DEFAULT_OPTIMIZERS, wire.optimizers_config, (k, val) => (k === 'max_optimization_threads' && val === 'auto' ? null : val)),
    wal_config: merge(DEFAULT_WAL, wire.wal_config),
    quantization_config: wire.quantization_config ?? null,
    strict_mode_config: merge(DEFAULT_STRICT_MODE, wire.strict_mode_config),
  };
  if (wire.metadata) options.metadata = wire.metadata;
  const out: CollectionConfig = { vectors, options };
  if (wire.sparse_vectors) {
    const sparse: Record<string, SparseVectorSpec> = {};
    for (const [name, p] of Object.entries(wire.sparse_vectors)) Object.defineProperty(sparse, name, { value: toSparseSpec(p), enumerable: true });
    out.sparseVectors = sparse;
  }
  return out;
}

export function toSparseSpec(p: { index?: Record<string, unknown> | null | undefined; modifier?: 'none' | 'idf' | null | undefined }): SparseVectorSpec {
  return { modifier: p.modifier ?? 'none', extra: p.index ? { index: p.index } : {} };
}

function isSingle(v: NonNullable<CreateCollectionWire['vectors']>): v is VectorParamsWire {
  return typeof (v as VectorParamsWire).size === 'number' && typeof (v as VectorParamsWire).distance === 'string';
}

function merge(defaults: Record<string, unknown>, diff: Record<string, unknown> | null | undefined, map?: (k: string, v: unknown) => unknown): Record<string, unknown> {
  const out: Record<string, unknown> = { ...defaults };
  for (const [k, val] of Object.entries(diff ?? {})) {
    if (val === null || val === undefined) continue;
    Object.defineProperty(out, k, { value: map ? map(k, val) : val, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function vectorParamsWire(s: VectorSpec): Record<string, unknown> {
  return { size: s.size, distance: s.distance, ...s.extra, ...(s.multivector ? { multivector_config: { comparator: s.multivector.comparator } } : {}) };
}

function sparseParamsWire(s: SparseVectorSpec): Record<string, unknown> {
  return { ...s.extra, ...(s.modifier !== 'none' ? { modifier: s.modifier } : {}) };
}

/** Engine config → Qdrant's CollectionConfig JSON. */
export function configWire(config: CollectionConfig): Record<string, unknown> {
  const vectors =
    config.vectors.kind === 'single'
      ? vectorParamsWire(config.vectors.spec)
      : Object.fromEntries(Object.entries(config.vectors.specs).map(([n, s]) => [n, vectorParamsWire(s)]));
  const o = config.options;
  const params: Record<string, unknown> = { vectors, ...o.params };
  if (config.sparseVectors && Object.keys(config.sparseVectors).length > 0) params.sparse_vectors = Object.fromEntries(Object.entries(config.sparseVectors).map(([n, s]) => [n, sparseParamsWire(s)]));
  const out: Record<string, unknown> = {
    params,
    hnsw_config: o.hnsw_config,
    optimizer_config: o.optimizer_config,
    wal_config: o.wal_config,
    quantization_config: o.quantization_config,
    strict_mode_config: o.strict_mode_config,
  };
  if (o.metadata) out.metadata = o.metadata;
  return out;
}

/** `GET /collections/{name}` result. */
export function collectionInfoWire(info: CollectionInfo): Record<string, unknown> {
  return {
    status: info.status,
    optimizer_status: info.optimizerStatus,
    indexed_vectors_count: info.indexedVectorsCount,
    points_count: info.pointsCount,
    segments_count: info.segmentsCount,
    config: configWire(info.config),
    payload_schema: info.payloadSchema,
    update_queue: { length: 0 },
  };
}
