import type { Distance } from '../index/distance.js';

/** Name of the default (unnamed) vector, as in Qdrant. */
export const DEFAULT_VECTOR = '';

/** A dense vector (or multivector) name's parameters. */
export interface VectorSpec {
  size: number;
  distance: Distance;
  /** Present for multivectors: each point holds a list of vectors, compared by `max_sim`. */
  multivector?: { comparator: 'max_sim' };
  /**
   * Other per-vector params given at creation (hnsw_config, quantization_config, on_disk, datatype…),
   * echoed back; `hnsw_config` here overrides the collection's for this vector's index.
   */
  extra: Record<string, unknown>;
}

/** A sparse vector name's parameters (`modifier: idf` weighs query terms by inverse document frequency). */
export interface SparseVectorSpec {
  modifier: 'none' | 'idf';
  /** Other params (`index`: on_disk, full_scan_threshold, datatype), echoed back. */
  extra: Record<string, unknown>;
}

/**
 * A collection's configuration. `vectors` (dense and multivectors) and `sparseVectors` drive
 * storage and search; `options` holds the other creation parameters Qdrant takes (sharding, HNSW,
 * optimizers, WAL, quantization, strict mode, metadata), already merged with Qdrant's defaults.
 * HNSW parameters (`m`, `ef_construct`, `full_scan_threshold`) and the optimizers'
 * `indexing_threshold` are honoured by the index; the rest is echoed.
 */
export interface CollectionConfig {
  vectors: { kind: 'single'; spec: VectorSpec } | { kind: 'named'; specs: Record<string, VectorSpec> };
  sparseVectors?: Record<string, SparseVectorSpec>;
  options: CollectionOptions;
}

export interface CollectionOptions {
  params: Record<string, unknown>;
  hnsw_config: Record<string, unknown>;
  optimizer_config: Record<string, unknown>;
  wal_config: Record<string, unknown>;
  quantization_config: unknown;
  strict_mode_config: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

/** Dense vector name → spec, with `''` for a single unnamed vector. */
export function vectorSpecs(config: CollectionConfig): Map<string, VectorSpec> {
  if (config.vectors.kind === 'single') return new Map([[DEFAULT_VECTOR, config.vectors.spec]]);
  return new Map(Object.entries(config.vectors.specs));
}

/** Sparse vector name → spec. */
export function sparseSpecs(config: CollectionConfig): Map<string, SparseVectorSpec> {
  return new Map(Object.entries(config.sparseVectors ?? {}));
}

export const DEFAULT_HNSW = { m: 16, ef_construct: 100, full_scan_threshold: 10000, max_indexing_threads: 0, on_disk: false };
export const DEFAULT_OPTIMIZERS = {
  deleted_threshold: 0.2,
  vacuum_min_vector_number: 1000,
  default_segment_number: 0,
  max_segment_size: null,
  memmap_threshold: null,
  indexing_threshold: 10000,
  flush_interval_sec: 5,
  max_optimization_threads: null,
};
export const DEFAULT_WAL = { wal_capacity_mb: 32, wal_segments_ahead: 0, wal_retain_closed: 1 };
export const DEFAULT_STRICT_MODE = { enabled: false };

/** The HNSW parameters that apply to one dense vector name (its own `hnsw_config` over the collection's). */
export interface HnswParams {
  m: number;
  efConstruct: number;
  /** Below this many KB of candidate vectors, search scans exactly (Qdrant's `full_scan_threshold`). */
  fullScanThresholdKb: number;
  /** Vectors are indexed once this many KB are stored; 0 disables indexing (`indexing_threshold`). */
  indexingThresholdKb: number;
  /** Share of replaced/deleted vectors in the graph that triggers a rebuild (`deleted_threshold`). */
  deletedThreshold: number;
  /** Graphs smaller than this are not rebuilt for deletions (`vacuum_min_vector_number`). */
  vacuumMinVectors: number;
}

export function hnswParams(config: CollectionConfig, name: string): HnswParams {
  const own = (vectorSpecs(config).get(name)?.extra.hnsw_config ?? {}) as Record<string, unknown>;
  const pick = (key: string, fallback: number): number => {
    const v = own[key] ?? config.options.hnsw_config[key];
    return typeof v === 'number' ? v : fallback;
  };
  const indexing = config.options.optimizer_config.indexing_threshold;
  const optimizer = (key: string, fallback: number): number => {
    const v = config.options.optimizer_config[key];
    return typeof v === 'number' ? v : fallback;
  };
  return {
    deletedThreshold: optimizer('deleted_threshold', DEFAULT_OPTIMIZERS.deleted_threshold),
    vacuumMinVectors: optimizer('vacuum_min_vector_number', DEFAULT_OPTIMIZERS.vacuum_min_vector_number),
    m: pick('m', DEFAULT_HNSW.m),
    efConstruct: pick('ef_construct', DEFAULT_HNSW.ef_construct),
    fullScanThresholdKb: pick('full_scan_threshold', DEFAULT_HNSW.full_scan_threshold),
    indexingThresholdKb: typeof indexing === 'number' ? indexing : indexing === null ? 0 : DEFAULT_OPTIMIZERS.indexing_threshold,
  };
}

/**
 * `PATCH /collections/{name}` in engine form (field names as on the wire; already validated).
 * Objects are diffs merged into the current values; `vectors.{name}.hnsw_config: {}` unsets the
 * vector's own HNSW config; `quantization_config: null` disables quantization.
 */
export interface ConfigPatch {
  vectors?: Record<string, Record<string, unknown>>;
  sparseVectors?: Record<string, { modifier?: 'none' | 'idf'; index?: Record<string, unknown> }>;
  params?: Record<string, unknown>;
  hnsw_config?: Record<string, unknown>;
  optimizers_config?: Record<string, unknown>;
  quantization_config?: unknown;
  strict_mode_config?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

/** The configuration after a patch (a new object; the input is not changed). */
export function applyConfigPatch(config: CollectionConfig, patch: ConfigPatch): CollectionConfig {
  const next = structuredClone(config);
  const o = next.options;
  if (patch.params) o.params = merge(o.params, patch.params);
  if (patch.hnsw_config) o.hnsw_config = merge(o.hnsw_config, patch.hnsw_config);
  if (patch.optimizers_config) o.optimizer_config = merge(o.optimizer_config, patch.optimizers_config);
  if (patch.strict_mode_config) o.strict_mode_config = merge(o.strict_mode_config, patch.strict_mode_config);
  if (patch.quantization_config !== undefined) o.quantization_config = patch.quantization_config;
  if (patch.metadata) o.metadata = Object.keys(patch.metadata).length === 0 ? {} : merge(o.metadata ?? {}, patch.metadata);
  for (const [name, diff] of Object.entries(patch.vectors ?? {})) {
    const spec = next.vectors.kind === 'single' ? (name === DEFAULT_VECTOR ? next.vectors.spec : undefined) : next.vectors.specs[name];
    if (!spec) continue;
    for (const [k, v] of Object.entries(diff)) {
      if (v === undefined) continue;
      if (k === 'hnsw_config' && v !== null && typeof v === 'object') {
        if (Object.keys(v).length === 0) delete spec.extra.hnsw_config;
        else spec.extra.hnsw_config = merge((spec.extra.hnsw_config ?? {}) as Record<string, unknown>, v as Record<string, unknown>);
      } else if (v === null) {
        delete spec.extra[k];
      } else {
        spec.extra[k] = v;
      }
    }
  }
  for (const [name, diff] of Object.entries(patch.sparseVectors ?? {})) {
    const spec = next.sparseVectors?.[name];
    if (!spec) continue;
    if (diff.modifier) spec.modifier = diff.modifier;
    if (diff.index) spec.extra.index = merge((spec.extra.index ?? {}) as Record<string, unknown>, diff.index);
  }
  return next;
}

function merge(base: Record<string, unknown>, diff: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(diff)) {
    if (v === undefined || v === null) continue;
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
