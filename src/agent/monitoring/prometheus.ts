/**
 * Reads what the hub charts from a replica's Prometheus text (`/metrics`): requests by status class
 * and the request-duration histogram. Phoenix replicas expose `phoenix_vector_requests_total{status}`
 * and `phoenix_vector_request_duration_seconds_bucket{le}`; other workloads are read by the same
 * conventions (`*_requests_total` or `*_responses_total` with a `status` or `code` label, and
 * `*_duration_seconds_bucket`). Labels other than status and le are summed over.
 */
export interface InstanceCounters {
  requests: number;
  clientErrors: number;
  serverErrors: number;
  /** Cumulative histogram buckets [upper bound in seconds, count], +Inf left out. */
  buckets: Array<[number, number]>;
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parsePrometheus(text: string): Sample[] {
  const out: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const value = Number(m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : m[3]);
    if (Number.isNaN(value)) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1] as string] = (l[2] as string).replace(/\\(.)/g, (_x, c: string) => (c === 'n' ? '\n' : c));
    out.push({ name: m[1] as string, labels, value });
  }
  return out;
}

/** The request counters of one scrape, or undefined when it exposes none we recognize. */
export function requestCounters(text: string): InstanceCounters | undefined {
  const samples = parsePrometheus(text);
  const counterNames = [...new Set(samples.map((s) => s.name))].filter((n) => /_(requests|responses)_total$/.test(n) && !/_fail_/.test(n));
  const counter = counterNames.find((n) => n.startsWith('phoenix_')) ?? counterNames.find((n) => samples.some((s) => s.name === n && (s.labels['status'] ?? s.labels['code']) !== undefined));
  if (!counter) return undefined;
  const c: InstanceCounters = { requests: 0, clientErrors: 0, serverErrors: 0, buckets: [] };
  for (const s of samples) {
    if (s.name !== counter) continue;
    const status = s.labels['status'] ?? s.labels['code'] ?? '';
    c.requests += s.value;
    if (status.startsWith('4')) c.clientErrors += s.value;
    if (status.startsWith('5')) c.serverErrors += s.value;
  }
  const prefix = counter.replace(/_(requests|responses)_total$/, '');
  const bucketName = samples.find((s) => s.name.startsWith(prefix) && s.name.endsWith('_duration_seconds_bucket'))?.name ?? samples.find((s) => s.name.endsWith('_duration_seconds_bucket'))?.name;
  if (bucketName) {
    const byLe = new Map<number, number>();
    for (const s of samples) {
      if (s.name !== bucketName) continue;
      const le = Number(s.labels['le']);
      if (!Number.isFinite(le) || le <= 0) continue;
      byLe.set(le, (byLe.get(le) ?? 0) + s.value);
    }
    c.buckets = [...byLe.entries()].sort(([a], [b]) => a - b).slice(0, 64);
  }
  return c;
}
