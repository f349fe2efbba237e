/**
 * Requests/s, p99 latency and error rate per service over the last minutes, computed from the
 * request counters and latency histograms each replica exposes at `/metrics`. Agents scrape their
 * replicas and ship the cumulative figures with every sync; here they become per-interval deltas
 * (a counter that went down means the replica restarted: its new value is the delta), summed over
 * the service's instances into fixed time bins.
 */
export interface InstanceCounters {
  /** Requests answered, by status class. */
  requests: number;
  clientErrors: number;
  serverErrors: number;
  /** Cumulative latency histogram: [upper bound in seconds, count]; the +Inf bucket is `requests`. */
  buckets: Array<[number, number]>;
}

export interface ServicePoint {
  /** Bin start, ms since epoch. */
  t: number;
  rps: number;
  /** Share of requests answered with 5xx, 0…1. */
  errorRate: number;
  /** 99th percentile latency in ms (upper bound of the histogram bucket it falls in), null without requests. */
  p99Ms: number | null;
  requests: number;
}

interface Bin {
  t: number;
  requests: number;
  serverErrors: number;
  buckets: Map<number, number>;
}

interface Last {
  at: number;
  counters: InstanceCounters;
}

export class ServiceMetrics {
  private readonly last = new Map<string, Last>();
  private readonly bins = new Map<string, Bin[]>();

  constructor(
    private readonly binMs = 5000,
    private readonly keepMs = 15 * 60_000,
  ) {}

  /** Adds one scrape of one instance of `service` (`<stack>/<service>`). */
  observe(service: string, instance: string, counters: InstanceCounters, now = Date.now()): void {
    const prev = this.last.get(instance);
    this.last.set(instance, { at: now, counters });
    if (!prev) return;
    const reset = counters.requests < prev.counters.requests;
    const delta = (now: number, before: number) => (reset ? now : Math.max(0, now - before));
    const requests = delta(counters.requests, prev.counters.requests);
    const serverErrors = delta(counters.serverErrors, prev.counters.serverErrors);
    const before = new Map(prev.counters.buckets);
    const bin = this.binFor(service, now);
    bin.requests += requests;
    bin.serverErrors += serverErrors;
    for (const [le, count] of counters.buckets) bin.buckets.set(le, (bin.buckets.get(le) ?? 0) + delta(count, before.get(le) ?? 0));
  }

  /** Forgets instances not seen for a while (they were removed). */
  prune(now = Date.now()): void {
    for (const [id, l] of this.last) if (now - l.at > this.keepMs) this.last.delete(id);
    for (const [service, bins] of this.bins) {
      const kept = bins.filter((b) => now - b.t <= this.keepMs);
      if (kept.length === 0) this.bins.delete(service);
      else this.bins.set(service, kept);
    }
  }

  /** Every service's points over the last `windowMs`, one per bin (empty bins included, as zero). */
  series(windowMs = this.keepMs, now = Date.now()): Array<{ service: string; points: ServicePoint[] }> {
    const start = Math.floor((now - windowMs) / this.binMs) * this.binMs;
    const last = Math.floor(now / this.binMs) * this.binMs;
    return [...this.bins.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([service, bins]) => {
        const byT = new Map(bins.map((b) => [b.t, b]));
        const points: ServicePoint[] = [];
        // From the first bin with figures (nothing is known before); the current bin is still filling and left out.
        const first = Math.max(start, bins[0]?.t ?? start);
        for (let t = first; t < last; t += this.binMs) {
          const b = byT.get(t);
          const requests = b?.requests ?? 0;
          points.push({ t, requests, rps: requests / (this.binMs / 1000), errorRate: requests > 0 ? (b?.serverErrors ?? 0) / requests : 0, p99Ms: b ? p99(b) : null });
        }
        return { service, points };
      });
  }

  private binFor(service: string, now: number): Bin {
    const t = Math.floor(now / this.binMs) * this.binMs;
    const bins = this.bins.get(service) ?? [];
    let bin = bins[bins.length - 1];
    if (!bin || bin.t !== t) {
      bin = { t, requests: 0, serverErrors: 0, buckets: new Map() };
      bins.push(bin);
      this.bins.set(service, bins);
    }
    return bin;
  }
}

/** The upper bound (ms) of the histogram bucket holding the 99th percentile. */
function p99(bin: Bin): number | null {
  if (bin.requests === 0) return null;
  const target = bin.requests * 0.99;
  const sorted = [...bin.buckets.entries()].sort(([a], [b]) => a - b);
  for (const [le, count] of sorted) if (count >= target) return Math.round(le * 1000 * 1000) / 1000;
  // Beyond the largest finite bucket: report that bound (the histogram cannot say more).
  const largest = sorted[sorted.length - 1];
  return largest ? Math.round(largest[0] * 1000 * 1000) / 1000 : null;
}
