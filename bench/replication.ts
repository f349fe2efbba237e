/**
 * `npm run bench:replication [-- --quick]` — what replication costs and what it buys: write
 * throughput and latency (upserts with `wait=true`) and read QPS (searches) on a replica set of
 * three against one replica (standalone, no replication log — what `replicas: 1` runs), measured
 * in the same run and interleaved round by round so both see the same machine load. Each replica is
 * its own process with its own data directory and mTLS listener; the driver is the CA (a test CA
 * certifying the replicas over IPC), the router (client certificate `router/…`, undici keep-alive
 * pools) and the agent (assignments on `/phoenix/replication/assignment`, as the hub's controller
 * sends them through an agent). Writes go to the leader, and also round-robin to every replica (as
 * the router balances them: a follower forwards writes to the leader); reads round-robin.
 * `--quick`: one round of short phases (under two minutes).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { TestCa, TEST_TRUST_DOMAIN } from '../test/fixtures/test-ca.js';
import type { TlsIdentity } from '../src/core/tls/index.js';
import { median, percentile } from './vector-data.js';
import { writeReplicationResults, type PhaseFigures } from './replication-report.js';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 1 : 3;
const PHASE_S = quick ? 5 : 12;
const CLIENTS = 8;
const BATCH = 16;
const DIM = 64;
const PRELOAD = quick ? 2_000 : 10_000;
const COLLECTION = 'bench';
/** Searched, never written after its preload (same points in both sets), so reads compare like with like. */
const READS = 'reads';
const REPLICA = fileURLToPath(new URL('./replication-replica.js', import.meta.url));
const log = (m: string) => console.log(`[bench:replication ${new Date().toISOString().slice(11, 19)}] ${m}`);

class ReplicaProcess {
  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static async start(ca: TestCa, root: string, name: string, mode: 'standalone' | 'managed'): Promise<ReplicaProcess> {
    const child = fork(REPLICA, [join(root, name), name, mode], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, BENCH_ROOT_PEM: ca.rootPem } });
    const url = await new Promise<string>((resolve, reject) => {
      child.on('message', (m: { type: string; id?: number; csrPem?: string; url?: string }) => {
        if (m.type === 'sign') void ca.issue('', m.csrPem!).then((signed) => child.send({ type: 'signed', id: m.id, signed }));
        if (m.type === 'ready') resolve(m.url!);
      });
      child.once('exit', (code) => reject(new Error(`replica ${name} exited (${code})`)));
    });
    return new ReplicaProcess(name, child, url);
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const gone = new Promise((r) => this.child.once('exit', r));
    this.child.send({ type: 'close' });
    await Promise.race([gone, new Promise((r) => setTimeout(r, 10_000))]);
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

function pool(url: string, who: TlsIdentity): Pool {
  return new Pool(url, { connections: CLIENTS, pipelining: 1, keepAliveTimeout: 60_000, connect: { key: who.current.keyPem, cert: who.current.chainPem, ca: who.rootPem, rejectUnauthorized: true } });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function call(p: Pool, method: 'GET' | 'PUT' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await p.request({ method, path, ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}), headersTimeout: 120_000 });
  const text = await res.body.text();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.statusCode, json };
}

/** A replica set under test: its processes, a router pool to each, and who leads. */
class SetUnderTest {
  constructor(
    readonly label: string,
    readonly replicas: ReplicaProcess[],
    readonly pools: Pool[],
    readonly leader: number,
  ) {}
}

let nextId = 1;
function writeBody(): string {
  const points = Array.from({ length: BATCH }, () => ({ id: nextId++, vector: Array.from({ length: DIM }, () => Math.random() - 0.5), payload: { g: nextId % 10 } }));
  return JSON.stringify({ points });
}
const queries = Array.from({ length: 256 }, () => JSON.stringify({ vector: Array.from({ length: DIM }, () => Math.random() - 0.5), limit: 10 }));

/** `CLIENTS` closed-loop clients for `PHASE_S` seconds; request i goes to `targets[i % n]`. */
async function phase(targets: Pool[], kind: 'write' | 'read'): Promise<PhaseFigures> {
  const latencies: number[] = [];
  let errors = 0;
  let sent = 0;
  const started = performance.now();
  const until = started + PHASE_S * 1000;
  async function client(): Promise<void> {
    while (performance.now() < until) {
      const i = sent++;
      const target = targets[i % targets.length]!;
      const body = kind === 'write' ? writeBody() : queries[i % queries.length]!;
      const t = performance.now();
      try {
        const r = kind === 'write' ? await call(target, 'PUT', `/collections/${COLLECTION}/points?wait=true`, body) : await call(target, 'POST', `/collections/${READS}/points/search`, body);
        if (r.status !== 200 || (kind === 'write' && r.json?.result?.status !== 'completed')) errors++;
        else latencies.push(performance.now() - t);
      } catch {
        errors++;
      }
    }
  }
  await Promise.all(Array.from({ length: CLIENTS }, () => client()));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { perSecond: latencies.length / seconds, pointsPerSecond: kind === 'write' ? (latencies.length * BATCH) / seconds : 0, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), errors, requests: latencies.length };
}

async function assign(agent: Pool[], replicas: ReplicaProcess[], leader: number): Promise<void> {
  const ref = (r: ReplicaProcess) => ({ id: r.name, url: r.url, identity: `spiffe://${TEST_TRUST_DOMAIN}/vector/${r.name}` });
  const members = replicas.map((r) => ({ id: r.name, joining: false }));
  for (const [i, r] of replicas.entries()) {
    const body = { set: 'bench/qdrant', mode: 'member', epoch: 1, role: i === leader ? 'leader' : 'follower', leader: ref(replicas[leader]!), members, drain: false, settings: {} };
    const res = await call(agent[i]!, 'PUT', '/phoenix/replication/assignment', body);
    if (res.status !== 200) throw new Error(`assignment of ${r.name}: ${res.status} ${JSON.stringify(res.json)}`);
  }
  const deadline = Date.now() + 60_000;
  for (;;) {
    const statuses = await Promise.all(agent.map((p) => call(p, 'GET', '/phoenix/replication/status')));
    if (statuses.every((s) => s.json?.ready === true)) return;
    if (Date.now() > deadline) throw new Error(`the replica set did not turn ready: ${JSON.stringify(statuses.map((s) => s.json))}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const readPoints = Array.from({ length: PRELOAD }, (_, i) => ({ id: i + 1, vector: Array.from({ length: DIM }, () => Math.random() - 0.5), payload: { g: i % 10 } }));

async function prepare(s: SetUnderTest): Promise<void> {
  const leader = s.pools[s.leader]!;
  for (const name of [COLLECTION, READS]) {
    const created = await call(leader, 'PUT', `/collections/${name}`, { vectors: { size: DIM, distance: 'Cosine' } });
    if (created.status !== 200) throw new Error(`${s.label}: create ${name}: ${created.status} ${JSON.stringify(created.json)}`);
  }
  for (let n = 0; n < PRELOAD; n += 256) {
    const r = await call(leader, 'PUT', `/collections/${READS}/points?wait=true`, { points: readPoints.slice(n, n + 256) });
    if (r.status !== 200) throw new Error(`${s.label}: preload: ${r.status} ${JSON.stringify(r.json)}`);
  }
}

/** Until every replica's collections are indexed (`green`): background indexing of earlier writes must not eat the reads' CPU. */
async function settle(s: SetUnderTest): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const infos = await Promise.all(s.pools.flatMap((p) => [COLLECTION, READS].map((c) => call(p, 'GET', `/collections/${c}`))));
    if (infos.every((i) => i.json?.result?.status === 'green') || Date.now() > deadline) return;
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function counts(s: SetUnderTest): Promise<number[]> {
  return Promise.all(s.pools.map(async (p) => (await call(p, 'POST', `/collections/${COLLECTION}/points/count`, { exact: true })).json?.result?.count as number));
}

const root = mkdtempSync(join(tmpdir(), 'phoenix-bench-repl-'));
const processes: ReplicaProcess[] = [];
const pools: Pool[] = [];
try {
  const ca = await TestCa.create();
  const router = await ca.identity('router', 'bench-router');
  const agentId = await ca.identity('agent', 'bench-host');
  log(`starting replicas (${quick ? 'quick' : 'full'} mode: ${ROUNDS} round(s) of ${PHASE_S} s phases, ${CLIENTS} clients, batches of ${BATCH} × ${DIM}-d, ${PRELOAD} points preloaded)`);
  const single = await ReplicaProcess.start(ca, root, 'single', 'standalone');
  const triple = [await ReplicaProcess.start(ca, root, 'r1', 'managed'), await ReplicaProcess.start(ca, root, 'r2', 'managed'), await ReplicaProcess.start(ca, root, 'r3', 'managed')];
  processes.push(single, ...triple);
  const one = new SetUnderTest('1 replica', [single], [pool(single.url, router)], 0);
  const three = new SetUnderTest('3 replicas', triple, triple.map((r) => pool(r.url, router)), 0);
  const agentPools = triple.map((r) => pool(r.url, agentId));
  pools.push(...one.pools, ...three.pools, ...agentPools);
  await assign(agentPools, triple, 0);
  await prepare(one);
  await prepare(three);
  log('replicas ready, collections preloaded');

  const rounds: Array<Record<string, PhaseFigures>> = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const r: Record<string, PhaseFigures> = {};
    await settle(one);
    await settle(three);
    r['read1'] = await phase(one.pools, 'read');
    r['read3'] = await phase(three.pools, 'read');
    r['write1'] = await phase(one.pools, 'write');
    r['write3Leader'] = await phase([three.pools[three.leader]!], 'write');
    r['write3Any'] = await phase(three.pools, 'write');
    rounds.push(r);
    log(`round ${round}: ${Object.entries(r).map(([k, v]) => `${k} ${v.perSecond.toFixed(0)}/s p99 ${v.p99Ms.toFixed(1)} ms${v.errors ? ` (${v.errors} errors)` : ''}`).join(', ')}`);
  }
  const pointCounts = await counts(three);
  const agree = pointCounts.every((c) => c === pointCounts[0]);
  log(`points on each of the three replicas: ${pointCounts.join(', ')}${agree ? ' (identical)' : ' (DIFFERENT)'}`);
  const med = (key: string, f: (x: PhaseFigures) => number) => median(rounds.map((x) => f(x[key]!)));
  const figures = Object.fromEntries(
    Object.keys(rounds[0]!).map((k) => [k, { perSecond: med(k, (x) => x.perSecond), pointsPerSecond: med(k, (x) => x.pointsPerSecond), p50Ms: med(k, (x) => x.p50Ms), p99Ms: med(k, (x) => x.p99Ms), errors: rounds.reduce((a, x) => a + x[k]!.errors, 0), requests: rounds.reduce((a, x) => a + x[k]!.requests, 0) }]),
  ) as Record<string, PhaseFigures>;
  writeReplicationResults({ params: { quick, rounds: ROUNDS, phaseSeconds: PHASE_S, clients: CLIENTS, batch: BATCH, dim: DIM, preload: PRELOAD }, figures, rounds, pointCounts, agree });
  log('wrote bench/results/replication.json and the bench:replication section of docs/PERFORMANCE.md');
  if (!agree) process.exitCode = 1;
} finally {
  for (const p of pools) await p.close().catch(() => undefined);
  for (const p of processes) await p.close();
  rmSync(root, { recursive: true, force: true });
}
