import { Counter, Gauge, Registry } from 'prom-client';
import type { Exchange } from './exchange.js';
import { RequestMetrics, type RequestSeries } from './request-metrics.js';
import type { Route, RouteTable } from './route-table.js';


/**
 * Prometheus metrics of one proxy hop (text at `/metrics` on the role's status listener):
 * requests and durations by route, service and status code, backend health, retries, upstream
 * failures, rejections by middleware, circuit state. Label children are cached per route and status
 * so the per-request cost is a few additions on plain numbers (request-metrics.ts).
 */
export class ProxyMetrics {
  readonly registry = new Registry();
  private readonly requests: RequestMetrics;
  private readonly retries: Counter<'service'>;
  private readonly upstreamFailures: Counter<'service' | 'backend' | 'kind'>;
  private readonly rejections: Counter<'middleware' | 'reason'>;
  private readonly unrouted = new Map<number, RequestSeries>();

  constructor(role: string, table: () => RouteTable) {
    const prefix = 'phoenix_proxy';
    this.registry.setDefaultLabels({ role });
    this.requests = new RequestMetrics(this.registry, prefix, [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]);
    this.retries = new Counter({ name: `${prefix}_retries_total`, help: 'Requests sent again to another backend', labelNames: ['service'], registers: [this.registry] });
    this.upstreamFailures = new Counter({ name: `${prefix}_upstream_failures_total`, help: 'Forwards that failed, by kind (connect, timeout, reset)', labelNames: ['service', 'backend', 'kind'], registers: [this.registry] });
    this.rejections = new Counter({ name: `${prefix}_rejections_total`, help: 'Requests refused by a middleware (rate limit, in-flight limit, allow-list, body size, auth)', labelNames: ['middleware', 'reason'], registers: [this.registry] });
    new Gauge({
      name: `${prefix}_backend_up`,
      help: 'Backend health: 1 when it takes traffic, 0 when down or ejected',
      labelNames: ['service', 'backend', 'state'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const s of table().services.values()) for (const b of s.backends) this.set({ service: s.name, backend: b.url, state: b.state }, b.available ? 1 : 0);
      },
    });
    new Gauge({
      name: `${prefix}_backend_in_flight`,
      help: 'Requests in flight per backend',
      labelNames: ['service', 'backend'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const s of table().services.values()) for (const b of s.backends) this.set({ service: s.name, backend: b.url }, b.inFlight);
      },
    });
    new Gauge({
      name: `${prefix}_circuit_open`,
      help: 'Circuit breaker state per service: 0 closed, 1 open, 0.5 half-open',
      labelNames: ['service'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const s of table().services.values()) if (s.breaker) this.set({ service: s.name }, s.breaker.state === 'open' ? 1 : s.breaker.state === 'half-open' ? 0.5 : 0);
      },
    });
  }

  observe(ex: Exchange, route: Route | undefined): void {
    const cache = (route?.metricsCache ?? this.unrouted) as Map<number, RequestSeries>;
    let m = cache.get(ex.status);
    if (!m) {
      m = this.requests.seriesFor(ex.route ?? '', ex.service ?? '', ex.status);
      cache.set(ex.status, m);
    }
    m.observe(ex.elapsedMs() / 1000);
  }

  retried(service: string): void {
    this.retries.inc({ service });
  }

  upstreamFailed(service: string, backend: string, kind: string): void {
    this.upstreamFailures.inc({ service, backend, kind });
  }

  rejected(middleware: string, reason: string): void {
    this.rejections.inc({ middleware, reason });
  }
}
