import { statfsSync } from 'node:fs';
import { freemem, totalmem } from 'node:os';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Engine } from '../engine/engine.js';
import { RequestStats } from './request-stats.js';
import { QDRANT_VERSION } from './version.js';

/**
 * `/metrics` in Qdrant's metric names (app_info, collections_*, collection_points, cluster_enabled,
 * rest_responses_*, memory_*, process_*), from a registry of its own. Request statistics are
 * shared with `/telemetry`.
 */
export class VectorMetrics {
  readonly registry = new Registry();
  readonly stats = new RequestStats();
  private readonly duration: Histogram<'method' | 'endpoint'>;

  constructor(engine: Engine) {
    const registers = [this.registry];
    const stats = this.stats;
    new Counter({ name: 'app_info', help: 'information about qdrant server', labelNames: ['name', 'version'], registers }).inc({ name: 'qdrant', version: QDRANT_VERSION });
    new Gauge({ name: 'app_status_recovery_mode', help: 'features enabled in qdrant server', registers }).set(0);
    new Gauge({
      name: 'collections_total',
      help: 'number of collections',
      registers,
      collect() {
        this.set(engine.names().length);
      },
    });
    new Gauge({
      name: 'collections_vector_total',
      help: 'total number of vectors in all collections',
      registers,
      collect() {
        this.set(engine.totalPoints());
      },
    });
    new Gauge({
      name: 'collection_points',
      help: 'approximate amount of points per collection',
      labelNames: ['collection'],
      registers,
      collect() {
        this.reset();
        for (const name of engine.names()) this.set({ collection: name }, engine.get(name).pointsCount);
      },
    });
    // Phoenix's own: search replicas of large graphs on worker threads (index/graph-replica.ts).
    new Gauge({
      name: 'phoenix_search_replicas',
      help: 'HNSW graphs with a search replica thread, per collection',
      labelNames: ['collection'],
      registers,
      collect() {
        this.reset();
        for (const name of engine.names()) this.set({ collection: name }, engine.get(name).searchReplicaStats().replicas);
      },
    });
    new Counter({
      name: 'phoenix_search_replica_searches_total',
      help: 'searches answered by a search replica thread, per collection',
      labelNames: ['collection'],
      registers,
      collect() {
        this.reset();
        for (const name of engine.names()) this.inc({ collection: name }, engine.get(name).searchReplicaStats().searches);
      },
    });
    new Counter({ name: 'cluster_enabled', help: 'is cluster support enabled', registers });
    const labelNames = ['method', 'endpoint', 'status'] as const;
    new Counter({
      name: 'rest_responses_total',
      help: 'total number of responses',
      labelNames,
      registers,
      collect() {
        this.reset();
        for (const [endpoint, byStatus] of stats.responses) for (const [status, s] of byStatus) this.inc(labels(endpoint, status), s.count);
      },
    });
    new Counter({
      name: 'rest_responses_fail_total',
      help: 'total number of failed responses',
      labelNames,
      registers,
      collect() {
        this.reset();
        for (const [endpoint, byStatus] of stats.responses) for (const [status, s] of byStatus) this.inc(labels(endpoint, status), s.failCount);
      },
    });
    for (const [name, help, pick] of [
      ['rest_responses_avg_duration_seconds', 'average response duration', (s: { avgMicros: number }) => s.avgMicros],
      ['rest_responses_min_duration_seconds', 'minimum response duration', (s: { minMicros: number }) => s.minMicros],
      ['rest_responses_max_duration_seconds', 'maximum response duration', (s: { maxMicros: number }) => s.maxMicros],
    ] as const) {
      new Gauge({
        name,
        help,
        labelNames,
        registers,
        collect() {
          this.reset();
          for (const [endpoint, byStatus] of stats.responses) {
            const s = byStatus.get(200);
            if (s) this.set(labels(endpoint, 200), pick(s as never) / 1e6);
          }
        },
      });
    }
    this.duration = new Histogram({
      name: 'rest_responses_duration_seconds',
      help: 'response duration histogram',
      labelNames: ['method', 'endpoint'],
      buckets: [0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1, 5, 10, 50],
      registers,
    });
    new Gauge({
      name: 'memory_resident_bytes',
      help: 'Total number of bytes in physically resident data pages mapped by the process',
      registers,
      collect() {
        this.set(process.memoryUsage().rss);
      },
    });
    new Gauge({
      name: 'memory_allocated_bytes',
      help: 'Total number of bytes allocated by the process',
      registers,
      collect() {
        const m = process.memoryUsage();
        this.set(m.heapUsed + m.external + m.arrayBuffers);
      },
    });
    new Gauge({
      name: 'memory_active_bytes',
      help: 'Total number of bytes in active pages allocated by the process',
      registers,
      collect() {
        this.set(process.memoryUsage().heapTotal);
      },
    });
    new Gauge({ name: 'system_memory_total_bytes', help: 'Total memory of the system', registers }).set(totalmem());
    new Gauge({
      name: 'system_memory_free_bytes',
      help: 'Free memory of the system',
      registers,
      collect() {
        this.set(freemem());
      },
    });
    new Gauge({
      name: 'storage_disk_usage_bytes',
      help: 'Used bytes of the filesystem holding the storage',
      registers,
      collect() {
        try {
          const s = statfsSync(engine.dataDir);
          this.set((s.blocks - s.bfree) * s.bsize);
        } catch {
          this.set(0);
        }
      },
    });
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    this.stats.observe(method, route, status, seconds);
    if (status === 200) this.duration.observe({ method, endpoint: RequestStats.endpoint(method, route).slice(method.length + 1) }, seconds);
  }
}

function labels(endpoint: string, status: number): { method: string; endpoint: string; status: string } {
  const space = endpoint.indexOf(' ');
  return { method: endpoint.slice(0, space), endpoint: endpoint.slice(space + 1), status: String(status) };
}
