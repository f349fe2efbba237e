/**
 * `npm run bench:vector [-- --quick]` — the vector engine against raw hnswlib-node on GloVe-100, per
 * ../shared/BENCHMARKS.md: ingest through the REST API, in-process and HTTPS (8 clients) search at
 * several hnsw_ef, filtered search at 1/10/50 % selectivity, memory, restart, with the raw
 * hnswlib-node baseline (same M / ef_construct / ef) and exact search measured in the same run.
 * `--quick`: 20k vectors, 200 queries, one run per figure (under two minutes).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import hnswlib from 'hnswlib-node';
import { bucketOf, DIM, groundTruth, loadGlove, median, percentile, recallAt10, row, type Glove } from './vector-data.js';
import type { EngineCommand, SearchAnswer } from './vector-engine.js';
import { BenchClient, type ClientTls } from './vector-http.js';
import { writeReport, type FilteredRow, type SearchRow } from './vector-report.js';

const quick = process.argv.includes('--quick');
const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const M = 16;
const EF_CONSTRUCT = 100;
const EFS = quick ? [32, 64, 128] : [32, 64, 96, 128, 192, 256];
const FILTER_EF = 128;
const SELECTIVITY = [1, 10, 50];
const RUNS = quick ? 1 : 3;
const BATCH = 256;
const CLIENTS = 8;
/** Concurrent ingest uploaders (Qdrant's own benchmarks upload in parallel too). */
const UPLOADERS = 2;
const COLLECTION = 'glove';

const log = (m: string) => console.log(`[bench:vector ${new Date().toISOString().slice(11, 19)}] ${m}`);

function rowOf(ef: number | 'exact', runs: Array<{ ids: number[][]; latenciesMs: number[]; totalMs: number }>, truth: number[][]): SearchRow {
  const qps = median(runs.map((r) => (r.ids.length / r.totalMs) * 1000));
  const lat = runs.flatMap((r) => r.latenciesMs).sort((a, b) => a - b);
  return { ef, recall: recallAt10(runs[0]!.ids, truth), qps, p50Ms: percentile(lat, 50), p99Ms: percentile(lat, 99) };
}

/** Raw hnswlib-node: single-thread build, then searchKnn at each ef (and with a JS filter callback). */
function rawBaseline(g: Glove, n: number, queries: number[], truth: number[][], filteredTruth: Map<number, number[][]>) {
  const index = new hnswlib.HierarchicalNSW('cosine', DIM);
  index.initIndex({ maxElements: n, m: M, efConstruction: EF_CONSTRUCT, randomSeed: 100 });
  const started = performance.now();
  for (let i = 0; i < n; i++) index.addPoint(Array.from(row(g, i)), i);
  const buildSeconds = (performance.now() - started) / 1000;
  log(`raw hnswlib build: ${buildSeconds.toFixed(1)} s`);
  const qs = queries.map((q) => Array.from(row(g, q)));
  const run = (ef: number, filter?: (label: number) => boolean) => {
    index.setEf(ef);
    const ids: number[][] = [];
    const latenciesMs: number[] = [];
    const t0 = performance.now();
    for (const q of qs) {
      const t = performance.now();
      const r = filter ? index.searchKnn(q, 10, filter) : index.searchKnn(q, 10);
      latenciesMs.push(performance.now() - t);
      ids.push(r.neighbors);
    }
    return { ids, latenciesMs, totalMs: performance.now() - t0 };
  };
  const search = EFS.map((ef) => rowOf(ef, Array.from({ length: RUNS }, () => run(ef)), truth));
  const filtered: FilteredRow[] = SELECTIVITY.map((below) => ({
    selectivity: `${below} %`,
    ...rowOf(
      FILTER_EF,
      Array.from({ length: RUNS }, () => run(FILTER_EF, (label) => bucketOf(label) < below)),
      filteredTruth.get(below)!,
    ),
  }));
  return { buildSeconds, search, filtered };
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

  const raw = rawBaseline(g, n, queries, truth, filteredTruth);

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

    log('serialising ingest batches');
    const batches: Buffer[] = [];
    for (let from = 0; from < n; from += BATCH) {
      const points = [];
      for (let i = from; i < Math.min(n, from + BATCH); i++) points.push({ id: i, vector: Array.from(row(g, i)), payload: { bucket: bucketOf(i) } });
      batches.push(Buffer.from(JSON.stringify({ points })));
    }
    log(`ingesting ${batches.length} batches of ${BATCH} (wait=true, ${UPLOADERS} uploaders)`);
    const ingestMs = await client.upload('PUT', `/collections/${COLLECTION}/points?wait=true`, batches, UPLOADERS, (done) => {
      if (done % 200 === 0) log(`  ${done * BATCH} points`);
    });
    const info = await engine.ask<{ status: string; points: number; indexed: number }>({ cmd: 'info', collection: COLLECTION });
    if (info.points !== n || info.indexed !== n) throw new Error(`after ingest: ${JSON.stringify(info)}`);
    log(`ingest: ${(ingestMs / 1000).toFixed(1)} s; ${JSON.stringify(info)}`);
    await engine.ask({ cmd: 'settle', collection: COLLECTION }); // checkpoint and graph save now, not during the measurements
    const memory = await engine.ask<NodeJS.MemoryUsage>({ cmd: 'memory' });

    const qv = queries.map((q) => Array.from(row(g, q)));
    const inprocessRuns = async (ef: number | undefined, below?: number, exact?: boolean, subset?: number) => {
      const qsub = subset ? qv.slice(0, subset) : qv;
      const out: SearchAnswer[] = [];
      for (let r = 0; r < RUNS; r++) out.push(await engine.ask<SearchAnswer>({ cmd: 'search', collection: COLLECTION, queries: qsub, ...(ef !== undefined ? { ef } : {}), ...(below !== undefined ? { below } : {}), ...(exact ? { exact } : {}) }));
      return out;
    };
    const inprocess: SearchRow[] = [];
    for (const ef of EFS) inprocess.push(rowOf(ef, await inprocessRuns(ef), truth));
    log(`in-process: ${inprocess.map((r) => `ef ${r.ef}: ${r.recall.toFixed(3)} @ ${Math.round(r.qps)}`).join(', ')}`);
    const exactSubset = Math.min(queryCount, quick ? 50 : 100);
    const exact = rowOf('exact', await inprocessRuns(undefined, undefined, true, exactSubset), truth.slice(0, exactSubset));
    const filtered: FilteredRow[] = [];
    for (const below of SELECTIVITY) filtered.push({ selectivity: `${below} %`, ...rowOf(FILTER_EF, await inprocessRuns(FILTER_EF, below), filteredTruth.get(below)!) });
    log(`filtered: ${filtered.map((r) => `${r.selectivity}: ${r.recall.toFixed(3)} @ ${Math.round(r.qps)}`).join(', ')}`);

    const https: SearchRow[] = [];
    for (const ef of EFS) {
      const bodies = qv.map((q) => JSON.stringify({ query: q, limit: 10, params: { hnsw_ef: ef } }));
      const runs = [];
      await client.searchLoad(`/collections/${COLLECTION}/points/query`, bodies.slice(0, 100), CLIENTS); // warm-up
      for (let r = 0; r < RUNS; r++) runs.push(await client.searchLoad(`/collections/${COLLECTION}/points/query`, bodies, CLIENTS));
      https.push(rowOf(ef, runs, truth));
    }
    log(`https (${CLIENTS} clients): ${https.map((r) => `ef ${r.ef}: ${r.recall.toFixed(3)} @ ${Math.round(r.qps)}`).join(', ')}`);

    log('restarting the engine on the same data');
    await client.close();
    await engine.ask({ cmd: 'close' });
    engine = await EngineProcess.start(dataDir);
    client = new BenchClient(`https://127.0.0.1:${engine.port}`, engine.tls, CLIENTS);
    const reopened = await engine.ask<{ status: string; points: number; indexed: number }>({ cmd: 'info', collection: COLLECTION });
    log(`reopened in ${Math.round(engine.openMs)} ms: ${JSON.stringify(reopened)}`);

    const { json, markdown } = writeReport({
      params: { quick, n, queries: queryCount, dim: DIM, distance: 'Cosine', m: M, efConstruct: EF_CONSTRUCT, efs: EFS, filterEf: FILTER_EF, batch: BATCH, uploaders: UPLOADERS, httpsClients: CLIENTS, runs: RUNS, indexingThresholdKb: 1 },
      ingest: { seconds: ingestMs / 1000, pointsPerSecond: n / (ingestMs / 1000), indexBuiltSeconds: ingestMs / 1000 },
      memory: { rssMb: Math.round(memory.rss / 1048576), heapUsedMb: Math.round(memory.heapUsed / 1048576) },
      restart: { openMs: engine.openMs, indexedAtOpen: reopened.indexed, points: reopened.points },
      inprocess,
      https,
      filtered,
      exact,
      raw,
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
