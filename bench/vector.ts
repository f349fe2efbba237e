/**
 * `npm run bench:vector [-- --quick]` — the vector engine against raw hnswlib-node on GloVe-100, per
 * ../shared/BENCHMARKS.md: ingest through the REST API, in-process and HTTPS (8 clients) search at
 * several hnsw_ef, filtered search at 1/10/50 % selectivity, memory, restart, with the raw
 * hnswlib-node baseline (same M / ef_construct / ef; interleaved with the engine in small chunks so
 * both see the same machine load) and exact search, measured in the same run.
 * `--quick`: 20k vectors, 200 queries, one run per HTTPS figure (under two minutes). Options:
 * `--n=`, `--queries=`, `--m=`, `--ef-construct=`, `--efs=64,128,…`, `--filter-ef=` (default: the ef
 * where raw hnswlib reaches recall 0.95 unfiltered).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bucketOf, DIM, groundTruth, loadGlove, median, percentile, recallAt10, row } from './vector-data.js';
import { joined, RawBaseline } from './vector-raw.js';
import type { EngineCommand, SearchAnswer } from './vector-engine.js';
import { BenchClient, type ClientTls } from './vector-http.js';
import { atRecall, writeReport, type FilteredRow, type SearchRow } from './vector-report.js';

const quick = process.argv.includes('--quick');
const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const M = Number(arg('m') ?? 16);
const EF_CONSTRUCT = Number(arg('ef-construct') ?? 100);
/** hnsw_ef values; the list reaches past recall 0.95 on GloVe-100 (the last words are hard queries). */
const EFS = arg('efs')?.split(',').map(Number) ?? (quick ? [64, 128, 256, 512] : [64, 128, 160, 192, 256, 512, 768, 1024]);
const SELECTIVITY = [1, 10, 50];
const RUNS = quick ? 1 : 5;
/** In-process comparisons are short: more runs (medians) even in --quick. */
const SEARCH_RUNS = 3;
const BATCH = 256;
const CLIENTS = 8;
/** Concurrent ingest uploaders (Qdrant's own benchmarks upload in parallel too). */
const UPLOADERS = 2;
/** Ingest blocks (in batches) and query chunks alternate between the engine and the raw baseline. */
const BLOCK = 20;
const CHUNK = 100;
const COLLECTION = 'glove';

const log = (m: string) => console.log(`[bench:vector ${new Date().toISOString().slice(11, 19)}] ${m}`);

function rowOf(ef: number | 'exact', runs: Array<{ ids: number[][]; latenciesMs: number[]; totalMs: number }>, truth: number[][]): SearchRow {
  const runsQps = runs.map((r) => Math.round((r.ids.length / r.totalMs) * 1000));
  const qps = median(runs.map((r) => (r.ids.length / r.totalMs) * 1000));
  const lat = runs.flatMap((r) => r.latenciesMs).sort((a, b) => a - b);
  return { ef, recall: recallAt10(runs[0]!.ids, truth), qps, p50Ms: percentile(lat, 50), p99Ms: percentile(lat, 99), runsQps };
}

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

class EngineProcess {
  private next = 0;
  private readonly pending = new Map<number, (v: unknown) => void>();
  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
    readonly tls: ClientTls,
    readonly openMs: number,
  ) {
    child.on('message', (m: { id?: number; result?: unknown }) => {
      if (m.id !== undefined) this.pending.get(m.id)?.(m.result);
    });
  }

  static async start(dataDir: string): Promise<EngineProcess> {
    const script = join(dirname(fileURLToPath(import.meta.url)), 'vector-engine.js');
    const child = fork(script, [dataDir], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: ['--max-old-space-size=8192', ...(process.env.BENCH_ENGINE_NODE_ARGS?.split(' ').filter(Boolean) ?? [])] });
    const ready = await new Promise<{ port: number; tls: ClientTls; openMs: number }>((resolve, reject) => {
      child.once('message', (m: { type: string; port: number; tls: ClientTls; openMs: number }) => resolve(m));
      child.once('exit', (code) => reject(new Error(`engine exited (${code})`)));
    });
    return new EngineProcess(child, ready.port, ready.tls, ready.openMs);
  }

  ask<T>(command: WithoutId<EngineCommand>, timeoutMs = 600_000): Promise<T> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      if (!this.child.connected) return reject(new Error('engine process is gone'));
      const timer = setTimeout(() => reject(new Error(`engine did not answer ${command.cmd}`)), timeoutMs);
      this.pending.set(id, (v) => {
        clearTimeout(timer);
        resolve(v as T);
      });
      this.child.send({ ...command, id });
    });
  }
}

async function main(): Promise<void> {
  const g = loadGlove(log);
  const n = Number(arg('n') ?? (quick ? 20_000 : g.count - 1000));
  const queryCount = Number(arg('queries') ?? (quick ? 200 : 1000));
  const queries = Array.from({ length: queryCount }, (_, i) => g.count - queryCount + i);
  log(`${n} base vectors, ${queryCount} queries, ${quick ? 'quick' : 'full'} run`);
  const truth = groundTruth(g, n, queries, undefined, log);
  const filteredTruth = new Map(SELECTIVITY.map((below) => [below, groundTruth(g, n, queries, below, log)]));
  const raw = new RawBaseline(n, M, EF_CONSTRUCT);

  const dataDir = mkdtempSync(join(tmpdir(), 'phoenix-bench-vector-'));
  let engine = await EngineProcess.start(dataDir);
  let client = new BenchClient(`https://127.0.0.1:${engine.port}`, engine.tls, CLIENTS);
  try {
    await client.call(
      'PUT',
      `/collections/${COLLECTION}`,
      JSON.stringify({ vectors: { size: DIM, distance: 'Cosine' }, hnsw_config: { m: M, ef_construct: EF_CONSTRUCT }, optimizers_config: { indexing_threshold: 1 } }),
    );
    await client.call('PUT', `/collections/${COLLECTION}/index?wait=true`, JSON.stringify({ field_name: 'bucket', field_schema: 'integer' }));

    // Ingest and the raw build, interleaved block by block (same load for both).
    log(`ingesting: batches of ${BATCH}, wait=true, ${UPLOADERS} uploaders; the raw build interleaved every ${BLOCK} batches`);
    let ingestMs = 0;
    for (let from = 0, block = 0; from < n; from += BATCH * BLOCK, block++) {
      const to = Math.min(n, from + BATCH * BLOCK);
      const batches: Buffer[] = [];
      for (let b = from; b < to; b += BATCH) {
        const points = [];
        for (let i = b; i < Math.min(to, b + BATCH); i++) points.push({ id: i, vector: Array.from(row(g, i)), payload: { bucket: bucketOf(i) } });
        batches.push(Buffer.from(JSON.stringify({ points })));
      }
      ingestMs += await client.upload('PUT', `/collections/${COLLECTION}/points?wait=true`, batches, UPLOADERS);
      raw.add(g, from, to);
      if (block % 10 === 9 || to === n) log(`  ${to} points: engine ${(ingestMs / 1000).toFixed(1)} s, raw build ${(raw.buildMs / 1000).toFixed(1)} s (${(ingestMs / raw.buildMs).toFixed(2)} ×)`);
    }
    const info = await engine.ask<{ status: string; points: number; indexed: number }>({ cmd: 'info', collection: COLLECTION });
    if (info.points !== n || info.indexed !== n) throw new Error(`after ingest: ${JSON.stringify(info)}`);
    await engine.ask({ cmd: 'settle', collection: COLLECTION }); // checkpoint and graph save now, not during the measurements
    const memory = await engine.ask<NodeJS.MemoryUsage>({ cmd: 'memory' });

    // In-process search, chunk by chunk alternating with the same queries on the raw index.
    const qv = queries.map((q) => Array.from(row(g, q)));
    // Raw hnswlib with a JS filter callback walks most of the graph at low selectivity (seconds per
    // query on the full set): its filtered figures come from the first RAW_FILTERED queries, one run.
    const RAW_FILTERED = Math.min(queryCount, quick ? 50 : 100);
    const compare = async (ef: number, truthOf: number[][], below?: number): Promise<[SearchRow, SearchRow]> => {
      const ours: SearchAnswer[] = [];
      const theirs: SearchAnswer[] = [];
      const rawUpTo = below === undefined ? qv.length : RAW_FILTERED;
      for (let r = 0; r < SEARCH_RUNS; r++) {
        const o: SearchAnswer[] = [];
        const t: SearchAnswer[] = [];
        for (let i = 0; i < qv.length; i += CHUNK) {
          const chunk = qv.slice(i, i + CHUNK);
          o.push(await engine.ask<SearchAnswer>({ cmd: 'search', collection: COLLECTION, queries: chunk, ef, ...(below !== undefined ? { below } : {}) }));
          if (i < rawUpTo && (below === undefined || r === 0)) t.push(raw.search(chunk.slice(0, rawUpTo - i), ef, below));
        }
        ours.push(joined(o));
        if (t.length > 0) theirs.push(joined(t));
      }
      return [rowOf(ef, ours, truthOf), rowOf(ef, theirs, truthOf.slice(0, rawUpTo))];
    };
    const inprocess: SearchRow[] = [];
    const rawSearch: SearchRow[] = [];
    for (const ef of EFS) {
      const [ours, theirs] = await compare(ef, truth);
      inprocess.push(ours);
      rawSearch.push(theirs);
    }
    log(`in-process: ${inprocess.map((r, i) => `ef ${r.ef}: ${r.recall.toFixed(3)} @ ${Math.round(r.qps)} (raw ${Math.round(rawSearch[i]!.qps)})`).join(', ')}`);
    const exactSubset = Math.min(queryCount, quick ? 50 : 100);
    const exactRuns: SearchAnswer[] = [];
    for (let r = 0; r < Math.min(RUNS, 3); r++) exactRuns.push(await engine.ask<SearchAnswer>({ cmd: 'search', collection: COLLECTION, queries: qv.slice(0, exactSubset), exact: true }));
    const exact = rowOf('exact', exactRuns, truth.slice(0, exactSubset));
    // Filtered search at the ef where raw hnswlib reaches recall 0.95 unfiltered (the operating point).
    const FILTER_EF = Number(arg('filter-ef') ?? (atRecall(rawSearch, 0.95)?.ef ?? EFS[EFS.length - 1]));
    const filtered: FilteredRow[] = [];
    const rawFiltered: FilteredRow[] = [];
    for (const below of SELECTIVITY) {
      const [ours, theirs] = await compare(FILTER_EF, filteredTruth.get(below)!, below);
      filtered.push({ selectivity: `${below} %`, ...ours });
      rawFiltered.push({ selectivity: `${below} %`, ...theirs });
    }
    log(`filtered: ${filtered.map((r, i) => `${r.selectivity}: ${r.recall.toFixed(3)} @ ${Math.round(r.qps)} (raw ${rawFiltered[i]!.recall.toFixed(3)} @ ${Math.round(rawFiltered[i]!.qps)})`).join(', ')}`);

    const https: SearchRow[] = [];
    // The HTTP path is cold after the in-process phases: one whole pass first (JIT, TLS sessions, heap sizing).
    await client.searchLoad(`/collections/${COLLECTION}/points/query`, qv.map((q) => JSON.stringify({ query: q, limit: 10, params: { hnsw_ef: EFS[0] } })), CLIENTS);
    for (const ef of EFS) {
      const bodies = qv.map((q) => JSON.stringify({ query: q, limit: 10, params: { hnsw_ef: ef } }));
      const runs = [];
      await client.searchLoad(`/collections/${COLLECTION}/points/query`, bodies.slice(0, 100), CLIENTS); // warm-up
      for (let r = 0; r < RUNS; r++) runs.push(await client.searchLoad(`/collections/${COLLECTION}/points/query`, bodies, CLIENTS));
      https.push(rowOf(ef, runs, truth));
    }
    log(`https (${CLIENTS} clients): ${https.map((r) => `ef ${r.ef}: ${r.recall.toFixed(3)} @ ${Math.round(r.qps)} (runs ${r.runsQps!.join('/')})`).join(', ')}`);
    const afterSearch = await engine.ask<NodeJS.MemoryUsage>({ cmd: 'memory' });
    // --queue-limits=0,1,4: the HTTPS figures again with other search-replica queue limits (0: no replica), logged only.
    for (const limit of arg('queue-limits')?.split(',').map(Number) ?? []) {
      const state = await engine.ask<unknown>({ cmd: 'searchThreads', settings: { queueLimit: limit } });
      const rows: SearchRow[] = [];
      for (const ef of EFS) {
        const bodies = qv.map((q) => JSON.stringify({ query: q, limit: 10, params: { hnsw_ef: ef } }));
        const runs = [];
        for (let r = 0; r < RUNS; r++) runs.push(await client.searchLoad(`/collections/${COLLECTION}/points/query`, bodies, CLIENTS));
        rows.push(rowOf(ef, runs, truth));
      }
      log(`https, queue limit ${limit} ${JSON.stringify(state)}: ${rows.map((r) => `ef ${r.ef}: ${r.recall.toFixed(3)} @ ${Math.round(r.qps)} (runs ${r.runsQps!.join('/')}) p99 ${r.p99Ms.toFixed(1)}`).join(', ')}`);
    }
    await engine.ask({ cmd: 'searchThreads', settings: { queueLimit: 2 } });

    log('restarting the engine on the same data');
    await client.close();
    await engine.ask({ cmd: 'close' });
    engine = await EngineProcess.start(dataDir);
    client = new BenchClient(`https://127.0.0.1:${engine.port}`, engine.tls, CLIENTS);
    const reopened = await engine.ask<{ status: string; points: number; indexed: number }>({ cmd: 'info', collection: COLLECTION });
    log(`reopened in ${Math.round(engine.openMs)} ms: ${JSON.stringify(reopened)}`);

    const { json, markdown } = writeReport({
      params: { quick, n, queries: queryCount, dim: DIM, distance: 'Cosine', m: M, efConstruct: EF_CONSTRUCT, efs: EFS, filterEf: FILTER_EF, batch: BATCH, uploaders: UPLOADERS, httpsClients: CLIENTS, searchReplicaThreads: Number(process.env.BENCH_REPLICA_THREADS ?? 1), runs: RUNS, inprocessRuns: SEARCH_RUNS, indexingThresholdKb: 1, interleaving: { ingestBlockBatches: BLOCK, queryChunk: CHUNK }, rawFilteredQueries: RAW_FILTERED },
      ingest: { seconds: ingestMs / 1000, pointsPerSecond: n / (ingestMs / 1000), indexBuiltSeconds: ingestMs / 1000 },
      memory: { rssMb: Math.round(memory.rss / 1048576), heapUsedMb: Math.round(memory.heapUsed / 1048576), rssAfterSearchMb: Math.round(afterSearch.rss / 1048576) },
      restart: { openMs: engine.openMs, indexedAtOpen: reopened.indexed, points: reopened.points },
      inprocess,
      https,
      filtered,
      exact,
      raw: { buildSeconds: raw.buildMs / 1000, search: rawSearch, filtered: rawFiltered },
    });
    console.log(markdown);
    log(`ratios ${JSON.stringify(json.ratios)}`);
  } finally {
    await client.close().catch(() => undefined);
    await engine.ask({ cmd: 'close' }, 30_000).catch(() => undefined);
    engine.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
