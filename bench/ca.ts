/**
 * `npm run bench:ca` (BENCHMARKS.md, CA): the CA runs as its own process (`phoenix run ca`), as in
 * production; this process is the load.
 * - Sign API: certificates issued per second through `POST /1.0/sign` (ECDSA P-256 CSRs, one-time
 *   tokens minted beforehand), 8 concurrent clients, 3 rounds, medians; p50/p99 latency.
 *   Baseline in the same run: the same leaf certificates signed in-process with no HTTP, no token,
 *   no store (`raw`), so the ratio says what the API, token checks, audit and inventory cost.
 * - Full ACME order with lego (new account → order → http-01 → finalize → download), median of
 *   runs; for comparison in the same run certbot's `certonly --standalone` and an in-process
 *   acme-client order (no client start-up), so the ratios separate client start-up from CA work.
 * `--quick`: shorter rounds and fewer orders (well under two minutes).
 * Writes bench/results/ca.json and the CA section of docs/PERFORMANCE.md.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import * as acme from 'acme-client';
import { loadProvisionerKey, mintToken } from '../src/core/ca-client/index.js';
import { createCsrPem, generatePrivateKeyPem, toCryptoKeyPair } from '../src/core/tls/keys.js';
import { x509 } from '../src/core/tls/x509.js';
import { writeCaResults, type CaBenchOutcome } from './ca-report.js';
import { freePort } from '../src/core/free-port.js';

const quick = process.argv.includes('--quick');
const ROUNDS = 3;
const ROUND_SECONDS = quick ? 4 : 10;
const CONCURRENCY = 8;
const ORDERS = quick ? 3 : 5;
const PHOENIX_BIN = fileURLToPath(new URL('../../bin/phoenix.js', import.meta.url));

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? (s[(s.length - 1) / 2] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};
const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

function run(cmd: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => resolve({ code, out, ms: performance.now() - started }));
  });
}

async function startCaProcess(dir: string, ports: { http01: number }): Promise<{ url: string; proc: ChildProcess }> {
  const config = { name: 'ca', trustDomain: 'phoenix.bench', dataDir: join(dir, 'ca'), listen: { host: '127.0.0.1', port: 0 }, log: { level: 'warn' }, acme: [{ name: 'acme', challengePorts: { http01: ports.http01, tlsAlpn01: ports.http01 } }] };
  const file = join(dir, 'ca.json');
  writeFileSync(file, JSON.stringify(config));
  const proc = fork(PHOENIX_BIN, ['run', 'ca', '--config', file], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const url = await new Promise<string>((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`CA exited with ${code}`)));
    proc.on('message', (m: { type?: string; endpoints?: { api?: string } }) => {
      if (m.type === 'ready' && m.endpoints?.api) resolve(m.endpoints.api);
    });
  });
  return { url, proc };
}

async function signRound(url: string, rootPem: string, provisionerFile: string, seconds: number): Promise<{ certsPerSecond: number; latencies: number[]; errors: number }> {
  const provisioner = loadProvisionerKey(provisionerFile);
  const agent = new Agent({ connect: { ca: rootPem }, connections: CONCURRENCY, keepAliveTimeout: 30_000 });
  // Requests are prepared before the clock starts: one key, CSR and token each.
  const expected = Math.ceil(seconds * 400);
  const prepared: string[] = [];
  const prepare = async () => {
    const name = `h${prepared.length}.bench.local`;
    const csr = await createCsrPem(generatePrivateKeyPem(), { commonName: name, dnsNames: [name] });
    prepared.push(JSON.stringify({ csr, ott: await mintToken(provisioner, { subject: name, sans: [name], caUrl: url }) }));
  };
  for (let i = 0; i < Math.min(expected, 600); i++) await prepare();
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        if (next >= prepared.length) await prepare();
        const body = prepared[next++] as string;
        const t0 = performance.now();
        const res = await request(`${url}/1.0/sign`, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json' }, body });
        await res.body.text();
        if (res.statusCode === 201) latencies.push(performance.now() - t0);
        else errors++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  await agent.close();
  return { certsPerSecond: latencies.length / elapsed, latencies, errors };
}

/** Baseline: leaf certificates signed in-process by an intermediate key, nothing else. */
async function rawRound(seconds: number): Promise<number> {
  const issuerKeys = await toCryptoKeyPair(generatePrivateKeyPem());
  const subjectKeys = await toCryptoKeyPair(generatePrivateKeyPem());
  let n = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  while (performance.now() < deadline) {
    await x509.X509CertificateGenerator.create({
      serialNumber: (n + 1).toString(16).padStart(32, '1'),
      subject: `CN=h${n}.bench.local`,
      issuer: 'CN=Bench Intermediate',
      publicKey: subjectKeys.publicKey,
      signingKey: issuerKeys.privateKey,
      notBefore: new Date(),
      notAfter: new Date(Date.now() + 86_400_000),
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: `h${n}.bench.local` }])],
    });
    n++;
  }
  return n / ((performance.now() - started) / 1000);
}

async function acmeClientOrder(directoryUrl: string, rootPem: string, port: number): Promise<number> {
  const started = performance.now();
  const https = await import('node:https');
  acme.axios.defaults.httpsAgent = new https.Agent({ ca: rootPem });
  const client = new acme.Client({ directoryUrl, accountKey: generatePrivateKeyPem(), backoffMin: 50, backoffMax: 500, backoffAttempts: 50 });
  await client.createAccount({ termsOfServiceAgreed: true });
  const order = await client.createOrder({ identifiers: [{ type: 'dns', value: 'localhost' }] });
  const tokens = new Map<string, string>();
  const { createServer: createHttp } = await import('node:http');
  const server = createHttp((req, res) => res.end(tokens.get(req.url?.split('/').pop() ?? '') ?? ''));
  await new Promise<void>((r) => server.listen(port, r));
  try {
    for (const authz of await client.getAuthorizations(order)) {
      const ch = authz.challenges.find((c) => c.type === 'http-01');
      if (!ch) throw new Error('no http-01');
      tokens.set(ch.token, await client.getChallengeKeyAuthorization(ch));
      await client.completeChallenge(ch);
      await client.waitForValidStatus(authz);
    }
  } finally {
    await new Promise((r) => server.close(r));
  }
  const csr = await createCsrPem(generatePrivateKeyPem(), { commonName: 'localhost', dnsNames: ['localhost'] });
  const done = await client.finalizeOrder(order, csr);
  await client.getCertificate(done);
  return performance.now() - started;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'phoenix-bench-ca-'));
  const port = await freePort();
  const { url, proc } = await startCaProcess(dir, { http01: port });
  const rootPem = readFileSync(join(dir, 'ca', 'root_ca.crt'), 'utf8');
  const rootFile = join(dir, 'root.pem');
  writeFileSync(rootFile, rootPem);
  const directory = `${url}/acme/acme/directory`;
  try {
    const sign: Array<Awaited<ReturnType<typeof signRound>>> = [];
    const raw: number[] = [];
    await signRound(url, rootPem, join(dir, 'ca', 'secrets', 'provisioner.json'), 1); // warm-up
    for (let r = 0; r < ROUNDS; r++) {
      sign.push(await signRound(url, rootPem, join(dir, 'ca', 'secrets', 'provisioner.json'), ROUND_SECONDS));
      raw.push(await rawRound(Math.max(2, ROUND_SECONDS / 2)));
      console.log(`round ${r + 1}: sign API ${sign.at(-1)?.certsPerSecond.toFixed(0)} certs/s, raw ${raw.at(-1)?.toFixed(0)} certs/s`);
    }
    const lego: number[] = [];
    const certbot: number[] = [];
    const inProcess: number[] = [];
    for (let i = 0; i < ORDERS; i++) {
      const legoDir = join(dir, `lego-${i}`);
      const l = await run('lego', ['--server', directory, '--email', 'bench@example.com', '--accept-tos', '--domains', 'localhost', '--http', '--http.port', `:${port}`, '--path', legoDir, 'run'], { LEGO_CA_CERTIFICATES: rootFile });
      if (l.code !== 0) throw new Error(`lego failed:\n${l.out}`);
      lego.push(l.ms);
      const cbDir = join(dir, `certbot-${i}`);
      const c = await run(
        'certbot',
        ['certonly', '--standalone', '--server', directory, '--non-interactive', '--agree-tos', '--register-unsafely-without-email', '--preferred-challenges', 'http', '--http-01-port', String(port), '-d', 'localhost', '--config-dir', join(cbDir, 'c'), '--work-dir', join(cbDir, 'w'), '--logs-dir', join(cbDir, 'l')],
        { REQUESTS_CA_BUNDLE: rootFile },
      );
      if (c.code !== 0) throw new Error(`certbot failed:\n${c.out}`);
      certbot.push(c.ms);
      inProcess.push(await acmeClientOrder(directory, rootPem, port));
      console.log(`order ${i + 1}: lego ${lego.at(-1)?.toFixed(0)} ms, certbot ${certbot.at(-1)?.toFixed(0)} ms, acme-client ${inProcess.at(-1)?.toFixed(0)} ms`);
    }
    const latencies = sign.flatMap((s) => s.latencies);
    const outcome: CaBenchOutcome = {
      params: { quick, rounds: ROUNDS, roundSeconds: ROUND_SECONDS, concurrency: CONCURRENCY, orders: ORDERS, key: 'ECDSA P-256', challenge: 'http-01' },
      sign: { certsPerSecond: median(sign.map((s) => s.certsPerSecond)), p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), errors: sign.reduce((a, s) => a + s.errors, 0), rounds: sign.map((s) => s.certsPerSecond) },
      raw: { certsPerSecond: median(raw), rounds: raw },
      orders: { legoMs: median(lego), certbotMs: median(certbot), acmeClientMs: median(inProcess), lego, certbot, acmeClient: inProcess },
    };
    writeCaResults(outcome);
    console.log(JSON.stringify(outcome, null, 2));
  } finally {
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
