/**
 * `npm run bench:proxy` (BENCHMARKS.md, data path): wrk -t2 -c64 with a small JSON POST through
 * four chains measured in the same run, same backend, same TLS everywhere:
 *   (a) Phoenix gateway → Phoenix router → backend
 *   (b) nginx → nginx → backend (one worker per hop, proxy_ssl_verify on, upstream keep-alive)
 *   (c) node-http-proxy → node-http-proxy → backend (keep-alive agents)
 *   (d) backend direct (upper bound)
 * The backend is an nginx `return 200` with mTLS. Rounds interleave the chains; medians of the
 * rounds are reported with the ratios a/b and a/c. `--quick`: 5-second runs (under two minutes).
 * `--only=phoenix,nginx` runs some chains and writes nothing; BENCH_SECONDS=n sets the run length and
 * BENCH_PROF_DIR=dir profiles the Phoenix hops (both for finding where time goes).
 * Writes bench/results/proxy.json and the proxy section of docs/PERFORMANCE.md.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { TestCa, TEST_TRUST_DOMAIN } from '../test/fixtures/test-ca.js';
import type { TlsIdentity } from '../src/core/tls/index.js';
import type { HopSpec } from './proxy-hop.js';
import { backendConfig, hopConfig, type TlsFiles } from './proxy-nginx.js';
import { cpuSeconds } from './proxy-cpu.js';
import { runWrk, writeWrkScript, type WrkResult } from './proxy-wrk.js';
import { writeResults } from './proxy-report.js';
import { freePort } from '../src/core/free-port.js';

const quick = process.argv.includes('--quick');
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? (quick ? 5 : 20));
const WARMUP = quick ? 2 : 3;
const ROUNDS = 3;
const API_KEY = 'bench-api-key-0123456789abcdef';
const HOP = fileURLToPath(new URL('./proxy-hop.js', import.meta.url));

const children: ChildProcess[] = [];
function cleanup(): void {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
}
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(130));

function waitForPort(port: number, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const sock = connect(port, '127.0.0.1');
      sock.once('connect', () => {
        sock.destroy();
        resolve();
      });
      sock.once('error', () => {
        if (Date.now() > deadline) reject(new Error(`nothing listens on ${port}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

function writeIdentity(dir: string, name: string, id: TlsIdentity, rootFile: string): TlsFiles {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  writeFileSync(cert, id.current.chainPem);
  writeFileSync(key, id.current.keyPem, { mode: 0o600 });
  return { cert, key, root: rootFile };
}

async function startNginx(dir: string, name: string, conf: string, port: number): Promise<number> {
  const file = join(dir, `${name}.conf`);
  writeFileSync(file, conf);
  const p = spawn('nginx', ['-p', dir, '-c', file, '-e', join(dir, `${name}-error.log`)], { stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(p);
  await waitForPort(port);
  return p.pid as number;
}

async function startHop(spec: HopSpec, ca: TestCa, pids: number[]): Promise<number> {
  // BENCH_PROF_DIR=dir profiles the Phoenix hops (node --cpu-prof), for finding where time goes.
  const prof = process.env['BENCH_PROF_DIR'] && spec.kind !== 'http-proxy' ? ['--cpu-prof', '--cpu-prof-dir', process.env['BENCH_PROF_DIR']] : [];
  const child = fork(HOP, [JSON.stringify(spec)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv: prof });
  children.push(child);
  pids.push(child.pid as number);
  return new Promise<number>((resolve, reject) => {
    child.on('message', (m: { type: string; id?: number; csr?: string; port?: number }) => {
      if (m.type === 'sign') void ca.issue('', m.csr as string).then((signed) => child.send({ type: 'signed', id: m.id, signed }));
      if (m.type === 'ready') resolve(m.port as number);
    });
    child.once('exit', (code) => reject(new Error(`${spec.kind} hop exited with ${code}`)));
  });
}

async function checkChain(url: string, rootPem: string): Promise<void> {
  const agent = new Agent({ connect: { ca: rootPem, rejectUnauthorized: false } });
  try {
    const res = await request(url, { dispatcher: agent, method: 'POST', headers: { 'content-type': 'application/json', 'api-key': API_KEY }, body: '{"vector":[1,2],"limit":3}' });
    const text = await res.body.text();
    if (res.statusCode !== 200 || !text.includes('"status":"ok"')) throw new Error(`${url} answered ${res.statusCode}: ${text.slice(0, 200)}`);
  } finally {
    await agent.close();
  }
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'phoenix-bench-proxy-'));
  const ca = await TestCa.create(3_600_000);
  const rootFile = join(dir, 'root.pem');
  writeFileSync(rootFile, ca.rootPem);
  const backendTls = writeIdentity(dir, 'backend', await ca.identity('vector', 'bench'), rootFile);
  const routerTls = writeIdentity(dir, 'router', await ca.identity('router', 'bench'), rootFile);
  const gatewayTls = writeIdentity(dir, 'gateway', await ca.identity('gateway', 'bench'), rootFile);
  const [backendPort, directPort, nginxRouterPort, nginxGatewayPort, nodeBackPort, nodeFrontPort] = await Promise.all(Array.from({ length: 6 }, freePort));

  // The processes of each chain's hops (not the shared backend), for CPU time per request.
  const hopPids: Record<'phoenix' | 'nginx' | 'nodeHttpProxy' | 'direct', number[]> = { phoenix: [], nginx: [], nodeHttpProxy: [], direct: [] };
  hopPids.direct.push(await startNginx(dir, 'backend', backendConfig(dir, backendTls, backendPort as number, directPort as number), backendPort as number));
  hopPids.nginx.push(await startNginx(dir, 'nginx-router', hopConfig(dir, 'nginx-router', { port: nginxRouterPort as number, listenTls: routerTls, verifyClient: true, upstreamPort: backendPort as number, clientTls: routerTls }), nginxRouterPort as number));
  hopPids.nginx.push(await startNginx(dir, 'nginx-gateway', hopConfig(dir, 'nginx-gateway', { port: nginxGatewayPort as number, listenTls: gatewayTls, verifyClient: false, upstreamPort: nginxRouterPort as number, clientTls: gatewayTls }), nginxGatewayPort as number));
  await startHop({ kind: 'http-proxy', port: nodeBackPort as number, target: `https://localhost:${backendPort}`, server: routerTls, requireClientCert: true, client: routerTls }, ca, hopPids.nodeHttpProxy);
  await startHop({ kind: 'http-proxy', port: nodeFrontPort as number, target: `https://localhost:${nodeBackPort}`, server: gatewayTls, requireClientCert: false, client: gatewayTls }, ca, hopPids.nodeHttpProxy);
  const accessLog = process.argv.includes('--access-log');
  const routerPort = await startHop(
    { kind: 'phoenix-router', port: 0, trustDomain: TEST_TRUST_DOMAIN, rootPem: ca.rootPem, backendUrl: `https://127.0.0.1:${backendPort}`, backendIdentity: `spiffe://${TEST_TRUST_DOMAIN}/vector/bench`, accessLog },
    ca,
    hopPids.phoenix,
  );
  const gatewayPort = await startHop({ kind: 'phoenix-gateway', port: 0, trustDomain: TEST_TRUST_DOMAIN, rootPem: ca.rootPem, routerUrl: `https://127.0.0.1:${routerPort}`, apiKey: API_KEY, accessLog }, ca, hopPids.phoenix);

  const path = '/collections/bench/points/search';
  const chains = {
    phoenix: `https://127.0.0.1:${gatewayPort}${path}`,
    nginx: `https://127.0.0.1:${nginxGatewayPort}${path}`,
    nodeHttpProxy: `https://127.0.0.1:${nodeFrontPort}${path}`,
    direct: `https://127.0.0.1:${directPort}${path}`,
  } as const;
  type Chain = keyof typeof chains;
  for (const url of Object.values(chains)) await checkChain(url, ca.rootPem);
  const script = writeWrkScript(dir, API_KEY);
  const loadBefore = loadavg()[0] as number;
  const runs: Record<Chain, WrkResult[]> = { phoenix: [], nginx: [], nodeHttpProxy: [], direct: [] };
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);
  const order: Chain[] = (['phoenix', 'nginx', 'nodeHttpProxy', 'direct'] as Chain[]).filter((c) => !only || only.split(',').includes(c));
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate the order each round so no chain always runs right after the same neighbour.
    const rotated = [...order.slice(round % order.length), ...order.slice(0, round % order.length)];
    for (const chain of rotated) {
      await runWrk(chains[chain], script, WARMUP);
      const cpuBefore = cpuSeconds(hopPids[chain]);
      const r = await runWrk(chains[chain], script, SECONDS);
      r.cpuUsPerRequest = ((cpuSeconds(hopPids[chain]) - cpuBefore) * 1e6) / r.requests;
      runs[chain].push(r);
      console.log(`round ${round + 1} ${chain.padEnd(14)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50Ms.toFixed(2)} ms  p99 ${r.p99Ms.toFixed(2)} ms  hop CPU ${r.cpuUsPerRequest.toFixed(0)} µs/req  errors ${r.errors} non-2xx ${r.non2xx}`);
    }
  }
  if (only) {
    cleanup();
    await new Promise((r) => setTimeout(r, 500));
    return;
  }
  const summary = Object.fromEntries(
    order.map((c) => [
      c,
      {
        rps: median(runs[c].map((r) => r.rps)),
        p50Ms: median(runs[c].map((r) => r.p50Ms)),
        p99Ms: median(runs[c].map((r) => r.p99Ms)),
        cpuUsPerRequest: median(runs[c].map((r) => r.cpuUsPerRequest ?? NaN)),
        errors: runs[c].reduce((s, r) => s + r.errors + r.non2xx, 0),
        runs: runs[c],
      },
    ]),
  ) as Record<Chain, { rps: number; p50Ms: number; p99Ms: number; cpuUsPerRequest: number; errors: number; runs: WrkResult[] }>;
  const ratios = {
    phoenixOverNginx: summary.phoenix.rps / summary.nginx.rps,
    phoenixOverNodeHttpProxy: summary.phoenix.rps / summary.nodeHttpProxy.rps,
    phoenixOverDirect: summary.phoenix.rps / summary.direct.rps,
  };
  writeResults({
    params: {
      tool: 'wrk',
      threads: 2,
      connections: 64,
      seconds: SECONDS,
      warmupSeconds: WARMUP,
      rounds: ROUNDS,
      body: 'small JSON POST (search-like, 110 bytes)',
      quick,
      accessLog,
      cpus: cpus().length,
      // The machine's 1-minute load average before and after: above the core count, the figures measure contention too.
      loadAverage: [Math.round(loadBefore * 10) / 10, Math.round((loadavg()[0] as number) * 10) / 10],
    },
    summary,
    ratios,
  });
  console.log(`\nmedians: phoenix ${summary.phoenix.rps.toFixed(0)} req/s (p99 ${summary.phoenix.p99Ms.toFixed(1)} ms), nginx ${summary.nginx.rps.toFixed(0)}, node-http-proxy ${summary.nodeHttpProxy.rps.toFixed(0)}, direct ${summary.direct.rps.toFixed(0)}`);
  console.log(`ratios: phoenix/nginx ${ratios.phoenixOverNginx.toFixed(2)}, phoenix/node-http-proxy ${ratios.phoenixOverNodeHttpProxy.toFixed(2)}`);
  cleanup();
  rmSync(dir, { recursive: true, force: true });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
