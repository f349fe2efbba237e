import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const START = '<!-- bench:replication:start -->';
const END = '<!-- bench:replication:end -->';

/** One load phase: answered requests per second, their latency, failures. */
export interface PhaseFigures {
  perSecond: number;
  /** Writes: points per second (requests × batch). */
  pointsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  requests: number;
}

export interface ReplicationOutcome {
  params: Record<string, unknown>;
  /** Medians over the rounds: write1, write3Leader, write3Any, read1, read3. */
  figures: Record<string, PhaseFigures>;
  rounds: Array<Record<string, PhaseFigures>>;
  pointCounts: number[];
  agree: boolean;
}

/** bench/results/replication.json (BENCHMARKS.md format) and the replication section of docs/PERFORMANCE.md. */
export function writeReplicationResults(o: ReplicationOutcome): void {
  let commit = 'unknown';
  try {
    commit = execSync('git rev-parse --short HEAD', { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    /* not a git checkout */
  }
  const date = new Date().toISOString();
  const machine = { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version, loadAverage: loadavg()[0] };
  const f = o.figures;
  const w1 = f['write1']!;
  const wl = f['write3Leader']!;
  const wa = f['write3Any']!;
  const r1 = f['read1']!;
  const r3 = f['read3']!;
  const ratios = {
    writeThroughput3LeaderOver1: wl.perSecond / w1.perSecond,
    writeThroughput3AnyOver1: wa.perSecond / w1.perSecond,
    writeP99_3LeaderOver1: wl.p99Ms / w1.p99Ms,
    writeP99_3AnyOver1: wa.p99Ms / w1.p99Ms,
    readQps3Over1: r3.perSecond / r1.perSecond,
  };
  const result = {
    name: 'replication',
    date,
    commit,
    machine,
    params: o.params,
    metrics: {
      write3LeaderPerSecond: wl.perSecond,
      write3LeaderPointsPerSecond: wl.pointsPerSecond,
      write3LeaderP50Ms: wl.p50Ms,
      write3LeaderP99Ms: wl.p99Ms,
      write3AnyPerSecond: wa.perSecond,
      write3AnyP99Ms: wa.p99Ms,
      read3Qps: r3.perSecond,
      read3P99Ms: r3.p99Ms,
      errors: Object.values(f).reduce((a, x) => a + x.errors, 0),
      replicasIdentical: o.agree,
      pointCounts: o.pointCounts,
      rounds: o.rounds,
    },
    baselines: { write1PerSecond: w1.perSecond, write1PointsPerSecond: w1.pointsPerSecond, write1P50Ms: w1.p50Ms, write1P99Ms: w1.p99Ms, read1Qps: r1.perSecond, read1P99Ms: r1.p99Ms },
    ratios,
  };
  mkdirSync(`${ROOT}bench/results`, { recursive: true });
  writeFileSync(`${ROOT}bench/results/replication.json`, `${JSON.stringify(result, null, 2)}\n`);

  const p = o.params;
  const row = (what: string, x: PhaseFigures, ratio: string) => `| ${what} | ${x.perSecond.toFixed(0)}${x.pointsPerSecond ? ` (${x.pointsPerSecond.toFixed(0)} points/s)` : ''} | ${x.p50Ms.toFixed(1)} | ${x.p99Ms.toFixed(1)} | ${x.errors} | ${ratio} |`;
  const section = `${START}
## Replication — \`npm run bench:replication\`

A replica set of three (leader and two followers, each its own process with its own data directory,
mTLS between them) against one replica (standalone: no replication log, what \`replicas: 1\` runs),
measured in the same run, phases interleaved round by round; ${String(p['clients'])} closed-loop clients
over keep-alive mTLS, ${String(p['phaseSeconds'])} s per phase, medians of ${String(p['rounds'])} round(s)${p['quick'] ? ' (quick mode)' : ''}.
Writes: upserts of ${String(p['batch'])} points × ${String(p['dim'])}-d with \`wait=true\` (answered
\`completed\` once every in-sync replica applied them); reads: searches, limit 10, in a collection of ${String(p['preload'])} points (the same in both sets, indexed before each read phase).
Measured ${date.slice(0, 10)} at ${commit} on ${machine.cpus} CPUs (${machine.model}), Node ${machine.node},
load average ${machine.loadAverage?.toFixed(1)} at the end: all replicas share these cores with the clients (and, here,
with other work), so three replicas cannot add CPU — read the ratios, and re-measure on a quiet machine.

| phase | req/s | p50 ms | p99 ms | errors | vs 1 replica |
|---|---|---|---|---|---|
${row('write, 1 replica (baseline)', w1, '1')}
${row('write, 3 replicas, to the leader', wl, `${ratios.writeThroughput3LeaderOver1.toFixed(2)}× req/s, ${ratios.writeP99_3LeaderOver1.toFixed(2)}× p99`)}
${row('write, 3 replicas, round-robin (followers forward)', wa, `${ratios.writeThroughput3AnyOver1.toFixed(2)}× req/s, ${ratios.writeP99_3AnyOver1.toFixed(2)}× p99`)}
${row('read, 1 replica (baseline)', r1, '1')}
${row('read, 3 replicas, round-robin', r3, `${ratios.readQps3Over1.toFixed(2)}× QPS`)}

After the run the three replicas held ${o.pointCounts.join(' / ')} points (${o.agree ? 'identical' : 'DIFFERENT'}).
${END}`;
  const file = `${ROOT}docs/PERFORMANCE.md`;
  const current = existsSync(file) ? readFileSync(file, 'utf8') : "# Phoenix — performance\n\nHow each figure is measured: see the project's BENCHMARKS document. One section per benchmark.\n";
  const next = current.includes(START) ? current.replace(new RegExp(`${START}[\\s\\S]*?${END}`), section) : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
}
