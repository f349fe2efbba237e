import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Engine } from '../engine/engine.js';

/** Prometheus metrics of the vector API, in a registry of its own (served at `/metrics`). */
export class VectorMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly duration: Histogram<'method' | 'route'>;

  constructor(engine: Engine) {
    this.requests = new Counter({
      name: 'phoenix_vector_requests_total',
      help: 'HTTP requests answered by the vector API',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.duration = new Histogram({
      name: 'phoenix_vector_request_duration_seconds',
      help: 'Time to answer vector API requests',
      labelNames: ['method', 'route'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
    new Gauge({
      name: 'phoenix_vector_collections',
      help: 'Collections held by this engine',
      registers: [this.registry],
      collect() {
        this.set(engine.names().length);
      },
    });
    new Gauge({
      name: 'phoenix_vector_points',
      help: 'Points held by this engine, all collections',
      registers: [this.registry],
      collect() {
        this.set(engine.totalPoints());
      },
    });
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    this.requests.inc({ method, route, status: String(status) });
    this.duration.observe({ method, route }, seconds);
  }
}
