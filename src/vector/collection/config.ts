import type { Distance } from '../index/distance.js';

/** Name of the default (unnamed) vector, as in Qdrant. */
export const DEFAULT_VECTOR = '';

export interface VectorSpec {
  size: number;
  distance: Distance;
  /** Other per-vector params given at creation (hnsw_config, quantization_config, on_disk, datatype…), echoed back. */
  extra: Record<string, unknown>;
}

/**
 * A collection's configuration. `vectors` drives storage and search; `options` holds the other
 * creation parameters Qdrant takes (sharding, HNSW, optimizers, WAL, quantization, strict mode,
 * metadata), already merged with Qdrant's defaults, and only echoed back for now.
 */
export interface CollectionConfig {
  vectors: { kind: 'single'; spec: VectorSpec } | { kind: 'named'; specs: Record<string, VectorSpec> };
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

/** Vector name → spec, with `''` for a single unnamed vector. */
export function vectorSpecs(config: CollectionConfig): Map<string, VectorSpec> {
  if (config.vectors.kind === 'single') return new Map([[DEFAULT_VECTOR, config.vectors.spec]]);
  return new Map(Object.entries(config.vectors.specs));
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
