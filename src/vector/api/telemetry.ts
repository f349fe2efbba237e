import { cpus, totalmem } from 'node:os';
import type { Engine } from '../engine/engine.js';
import { configWire } from './convert/collection.js';
import type { RequestStats } from './request-stats.js';
import { QDRANT_VERSION } from './version.js';

/**
 * `GET /telemetry` in Qdrant's shape (TelemetryData): app, collections, cluster (disabled),
 * requests and memory. `details_level` ≥ 1 adds per-collection details (config and counts),
 * ≥ 2 the same with more; `anonymize` hides collection names and keeps counts.
 */
export class Telemetry {
  private readonly id = crypto.randomUUID();
  private readonly startup = new Date().toISOString();

  constructor(
    private readonly engine: Engine,
    private readonly stats: RequestStats,
  ) {}

  data(detailsLevel: number, anonymize: boolean): Record<string, unknown> {
    const names = this.engine.names();
    const collections: Record<string, unknown> = { number_of_collections: names.length };
    if (detailsLevel >= 1) {
      collections.collections = names.map((name, i) => {
        const info = this.engine.get(name).info();
        const entry: Record<string, unknown> = { id: anonymize ? `collection_${i}` : name, init_time_ms: 0, points_count: info.pointsCount };
        if (detailsLevel >= 2) {
          entry.config = configWire(info.config);
          entry.shards = [{ id: 0, replicate_states: {}, local: { variant_name: 'local', status: info.status, total_optimized_points: info.pointsCount, num_points: info.pointsCount, num_indexed_vectors: info.indexedVectorsCount, segments: [] } }];
        }
        return entry;
      });
    }
    const memory = process.memoryUsage();
    return {
      id: this.id,
      app: {
        name: 'qdrant',
        version: QDRANT_VERSION,
        features: { debug: false, service_debug_feature: false, recovery_mode: false, gpu: false, rocksdb: false, staging: false },
        system: detailsLevel >= 1 ? { is_docker: false, cores: cpus().length, ram_size: Math.round(totalmem() / 1024), cpu_flags: '' } : undefined,
        jwt_rbac: false,
        hide_jwt_dashboard: false,
        startup: this.startup,
      },
      collections,
      cluster: { enabled: false },
      requests: { rest: { responses: anonymize ? {} : this.stats.toTelemetry() }, grpc: { responses: {} } },
      memory: { active_bytes: memory.heapTotal, allocated_bytes: memory.heapUsed + memory.external, metadata_bytes: 0, resident_bytes: memory.rss, retained_bytes: 0 },
    };
  }
}
