/**
 * `node dist/bench/proxy-upstream.js [--quick]`: why the proxy has its own HTTP/1.1 upstream pool
 * (src/proxy/upstream/) instead of undici, measured. One process sends the benchmark's small JSON
 * POST to the same mTLS nginx backend through each client in turn, 64 requests in flight, and
 * reports the client's own CPU time per request (process.cpuUsage — the part a proxy hop pays for
 * its upstream side) and requests per second. Clients: undici `Pool#dispatch` (its leanest API,
 * raw handler, same TLS options and keep-alive) and Phoenix's `UpstreamPool#dispatch` with its
 * SPIFFE identity and CRL checks. Rounds interleave the clients; medians. Prints a table; writes nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool, type Dispatcher } from 'undici';
import { TestCa, TEST_TRUST_DOMAIN } from '../test/fixtures/test-ca.js';
import { IdentityPolicy } from '../src/core/tls/index.js';
import { UpstreamPool } from '../src/proxy/upstream/pool.js';
import { backendConfig } from './proxy-nginx.js';
import { freePort } from '../src/core/free-port.js';

const quick = process.argv.includes('--quick');
const SECONDS = quick ? 3 : 10;
const ROUNDS = quick ? 3 : 5;
const IN_FLIGHT = 64;
const BODY = Buffer.from(JSON.stringify({ vector: [0.12, -0.4, 0.33, 0.9, -0.05, 0.27, 0.61, -0.72], limit: 3, with_payload: true }));
const PATH = '/collections/bench/points/search';

type Send = (done: (ok: boolean) => void) => void;

function waitForPort(port: number): Promise<void> {
  return new Promise((resolve) => {
    const attempt = () => {
      const sock = connect(port, '127.0.0.1');
      sock.once('connect', () => (sock.destroy(), resolve()));
      sock.once('error', () => setTimeout(attempt, 50));
    };
    attempt();
  });
}

/** Keeps IN_FLIGHT requests going for `seconds`; returns requests, CPU µs per request, req/s. */
async function drive(send: Send, seconds: number): Promise<{ rps: number; cpuUs: number; failed: number }> {
  const until = performance.now() + seconds * 1000;
  let requests = 0;
  let failed = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from(
      { length: IN_FLIGHT },
      () =>
        new Promise<void>((resolve) => {
          const loop = () => {
            if (performance.now() >= until) return resolve();
            send((ok) => {
              requests++;
              if (!ok) failed++;
              loop();
            });
          };
          loop();
        }),
    ),
  );
  const cpu = process.cpuUsage(cpu0);
  return { rps: requests / ((performance.now() - t0) / 1000), cpuUs: (cpu.user + cpu.system) / requests, failed };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'phoenix-bench-upstream-'));
  const children: ChildProcess[] = [];
  try {
    const ca = await TestCa.create(3_600_000);
    const rootFile = join(dir, 'root.pem');
    writeFileSync(rootFile, ca.rootPem);
    const backend = await ca.identity('vector', 'bench');
    writeFileSync(join(dir, 'backend.crt'), backend.current.chainPem);
    writeFileSync(join(dir, 'backend.key'), backend.current.keyPem, { mode: 0o600 });
    const [port, directPort] = [await freePort(), await freePort()];
    const conf = join(dir, 'backend.conf');
    writeFileSync(conf, backendConfig(dir, { cert: join(dir, 'backend.crt'), key: join(dir, 'backend.key'), root: rootFile }, port, directPort));
    children.push(spawn('nginx', ['-p', dir, '-c', conf, '-e', join(dir, 'error.log')], { stdio: 'ignore' }));
    await waitForPort(port);

    const client = await ca.identity('router', 'bench');
    const url = `https://127.0.0.1:${port}`;
    const headers = ['host', `127.0.0.1:${port}`, 'content-type', 'application/json', 'content-length', String(BODY.length)];

    const phoenix = new UpstreamPool({ url, identity: client, serverPolicy: IdentityPolicy.fromPattern(`spiffe://${TEST_TRUST_DOMAIN}/vector/bench`) });
    const sendPhoenix: Send = (done) => {
      let status = 0;
      phoenix.dispatch(
        { method: 'POST', path: PATH, headers, body: BODY, timeoutMs: 60_000 },
        { onHeaders: (s) => (status = s), onData: () => true, onComplete: () => done(status === 200), onError: () => done(false) },
      );
    };

    const undici = new Pool(url, {
      connections: null,
      pipelining: 1,
      connect: { key: client.current.keyPem, cert: client.current.chainPem, ca: ca.rootPem, servername: 'localhost', rejectUnauthorized: true },
    });
    const undiciHeaders = { host: `127.0.0.1:${port}`, 'content-type': 'application/json', 'content-length': String(BODY.length) };
    const sendUndici: Send = (done) => {
      let status = 0;
      const handler: Dispatcher.DispatchHandler = {
        onConnect: () => {},
        onHeaders: (s: number) => ((status = s), true),
        onData: () => true,
        onComplete: () => done(status === 200),
        onError: () => done(false),
      };
      undici.dispatch({ origin: url, method: 'POST', path: PATH, headers: undiciHeaders, body: BODY }, handler);
    };

    const clients: Record<string, Send> = { 'undici Pool#dispatch': sendUndici, 'Phoenix UpstreamPool': sendPhoenix };
    for (const send of Object.values(clients)) await drive(send, 1); // warm-up: connections, JIT
    const runs: Record<string, Array<{ rps: number; cpuUs: number; failed: number }>> = {};
    for (let round = 0; round < ROUNDS; round++) {
      const names = round % 2 ? Object.keys(clients).reverse() : Object.keys(clients);
      for (const name of names) {
        const r = await drive(clients[name] as Send, SECONDS);
        (runs[name] ??= []).push(r);
        console.log(`round ${round + 1} ${name.padEnd(22)} ${r.rps.toFixed(0).padStart(6)} req/s  client CPU ${r.cpuUs.toFixed(1)} µs/req  failed ${r.failed}  load ${(loadavg()[0] as number).toFixed(1)}`);
      }
    }
    const u = runs['undici Pool#dispatch'] ?? [];
    const p = runs['Phoenix UpstreamPool'] ?? [];
    const cpuRatio = median(u.map((r, i) => r.cpuUs / (p[i] as { cpuUs: number }).cpuUs));
    console.log(`\nmedians: undici ${median(u.map((r) => r.cpuUs)).toFixed(1)} µs/req (${median(u.map((r) => r.rps)).toFixed(0)} req/s), UpstreamPool ${median(p.map((r) => r.cpuUs)).toFixed(1)} µs/req (${median(p.map((r) => r.rps)).toFixed(0)} req/s)`);
    console.log(`undici / UpstreamPool client CPU per request (median of per-round ratios): ${cpuRatio.toFixed(2)}×`);
    await phoenix.close();
    await undici.close();
  } finally {
    for (const c of children) c.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
