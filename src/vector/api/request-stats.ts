/**
 * Per-endpoint response statistics, kept the way Qdrant's telemetry keeps them: for each
 * `"METHOD /route/{param}"` and status code, the count, failures, min/max/total and a weighted
 * average over recent durations, and when it last answered. Feeds `/telemetry` and `/metrics`.
 */
export interface DurationStats {
  count: number;
  failCount: number;
  avgMicros: number;
  minMicros: number;
  maxMicros: number;
  totalMicros: number;
  lastResponded: Date;
}

/** Weight of a new duration in the running average (about the 128 latest operations). */
const AVERAGE_WEIGHT = 1 / 128;

export class RequestStats {
  /** endpoint → status → stats */
  readonly responses = new Map<string, Map<number, DurationStats>>();

  private static readonly spelled = new Map<string, string>();

  /** Qdrant's route spelling: `:name` → `{name}` (memoised: routes are few). */
  static endpoint(method: string, route: string): string {
    const key = `${method} ${route}`;
    let out = RequestStats.spelled.get(key);
    if (out === undefined) {
      out = `${method} ${route.replace(/:([A-Za-z_]+)/g, '{$1}')}`;
      if (RequestStats.spelled.size < 1000) RequestStats.spelled.set(key, out);
    }
    return out;
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    const endpoint = RequestStats.endpoint(method, route);
    let byStatus = this.responses.get(endpoint);
    if (!byStatus) {
      byStatus = new Map();
      this.responses.set(endpoint, byStatus);
    }
    const micros = seconds * 1e6;
    const s = byStatus.get(status);
    const failed = status >= 400 ? 1 : 0;
    if (!s) {
      byStatus.set(status, { count: 1, failCount: failed, avgMicros: micros, minMicros: micros, maxMicros: micros, totalMicros: micros, lastResponded: new Date() });
      return;
    }
    s.count++;
    s.failCount += failed;
    s.avgMicros += (micros - s.avgMicros) * Math.max(AVERAGE_WEIGHT, 1 / s.count);
    s.minMicros = Math.min(s.minMicros, micros);
    s.maxMicros = Math.max(s.maxMicros, micros);
    s.totalMicros += micros;
    s.lastResponded = new Date();
  }

  /** Qdrant's WebApiTelemetry `responses`. */
  toTelemetry(): Record<string, Record<string, unknown>> {
    const out: Record<string, Record<string, unknown>> = {};
    for (const [endpoint, byStatus] of this.responses) {
      const statuses: Record<string, unknown> = {};
      for (const [status, s] of byStatus) {
        statuses[String(status)] = {
          count: s.count,
          fail_count: s.failCount,
          avg_duration_micros: s.avgMicros,
          min_duration_micros: s.minMicros,
          max_duration_micros: s.maxMicros,
          total_duration_micros: Math.round(s.totalMicros),
          last_responded: s.lastResponded.toISOString(),
        };
      }
      out[endpoint] = statuses;
    }
    return out;
  }
}
