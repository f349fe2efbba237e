import type { Registry } from 'prom-client';

type Labels = { route: string; service: string; code: string };

/** One route, service and status code: counts kept in plain fields and a typed array. */
export class RequestSeries {
  count = 0;
  sum = 0;
  readonly buckets: Float64Array;

  constructor(
    readonly labels: Labels,
    private readonly bounds: readonly number[],
  ) {
    this.buckets = new Float64Array(bounds.length);
  }

  /** Counts one request that took `seconds`: no allocation, no label hashing. */
  observe(seconds: number): void {
    this.count++;
    this.sum += seconds;
    const b = this.bounds;
    for (let i = 0; i < b.length; i++) {
      if (seconds <= (b[i] as number)) {
        this.buckets[i] = (this.buckets[i] as number) + 1;
        return;
      }
    }
  }
}

/**
 * `<prefix>_requests_total` and `<prefix>_request_duration_seconds` by route, service and code,
 * counted on the request path without prom-client's per-observation label validation and hashing
 * (which allocated on every request), and rendered by prom-client's registry in its usual text
 * format when scraped.
 */
export class RequestMetrics {
  private readonly series = new Map<string, RequestSeries>();

  constructor(
    registry: Registry,
    prefix: string,
    private readonly bounds: readonly number[],
  ) {
    const counterName = `${prefix}_requests_total`;
    const histogramName = `${prefix}_request_duration_seconds`;
    const all = () => [...this.series.values()];
    const metric = (name: string, help: string, type: 'counter' | 'histogram', values: () => unknown[]) => {
      const m = {
        name,
        help,
        type,
        aggregator: 'sum',
        get: async () => ({ name, help, type, aggregator: 'sum', values: values() }),
        reset: () => this.series.clear(),
      };
      registry.registerMetric(m as unknown as Parameters<Registry['registerMetric']>[0]);
    };
    metric(counterName, 'Requests answered, by route, service and status code', 'counter', () => all().map((s) => ({ labels: s.labels, value: s.count })));
    metric(histogramName, 'Time from request to the end of the answer, by route, service and status code', 'histogram', () =>
      all().flatMap((s) => {
        let acc = 0;
        const out: unknown[] = this.bounds.map((le, i) => {
          acc += s.buckets[i] as number;
          return { labels: { le }, sharedLabels: s.labels, value: acc, metricName: `${histogramName}_bucket` };
        });
        out.push(
          { labels: { le: '+Inf' }, sharedLabels: s.labels, value: s.count, metricName: `${histogramName}_bucket` },
          { labels: {}, sharedLabels: s.labels, value: s.sum, metricName: `${histogramName}_sum` },
          { labels: {}, sharedLabels: s.labels, value: s.count, metricName: `${histogramName}_count` },
        );
        return out;
      }),
    );
  }

  /** The series of one route, service and code (callers cache it). */
  seriesFor(route: string, service: string, code: number): RequestSeries {
    const key = `${route}\n${service}\n${code}`;
    let s = this.series.get(key);
    if (!s) {
      s = new RequestSeries({ route, service, code: String(code) }, this.bounds);
      this.series.set(key, s);
    }
    return s;
  }
}
