import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const START = '<!-- bench:ca:start -->';
const END = '<!-- bench:ca:end -->';

export interface CaBenchOutcome {
  params: Record<string, unknown>;
  sign: { certsPerSecond: number; p50Ms: number; p99Ms: number; errors: number; rounds: number[] };
  raw: { certsPerSecond: number; rounds: number[] };
  orders: { legoMs: number; certbotMs: number; acmeClientMs: number; lego: number[]; certbot: number[]; acmeClient: number[] };
}

/** bench/results/ca.json (BENCHMARKS.md format) and the CA section of docs/PERFORMANCE.md. */
export function writeCaResults(o: CaBenchOutcome): void {
  let commit = 'unknown';
  try {
    commit = execSync('git rev-parse --short HEAD', { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    /* not a git checkout */
  }
  const date = new Date().toISOString();
  const machine = { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version };
  const ratios = {
    signApiOverRaw: o.sign.certsPerSecond / o.raw.certsPerSecond,
    legoOverAcmeClient: o.orders.legoMs / o.orders.acmeClientMs,
    certbotOverLego: o.orders.certbotMs / o.orders.legoMs,
  };
  const result = {
    name: 'ca',
    date,
    commit,
    machine,
    params: o.params,
    metrics: { signCertsPerSecond: o.sign.certsPerSecond, signP50Ms: o.sign.p50Ms, signP99Ms: o.sign.p99Ms, signErrors: o.sign.errors, legoOrderMs: o.orders.legoMs, signRounds: o.sign.rounds, legoRuns: o.orders.lego },
    baselines: { rawSignCertsPerSecond: o.raw.certsPerSecond, rawRounds: o.raw.rounds, certbotOrderMs: o.orders.certbotMs, certbotRuns: o.orders.certbot, acmeClientOrderMs: o.orders.acmeClientMs, acmeClientRuns: o.orders.acmeClient },
    ratios,
  };
  mkdirSync(`${ROOT}bench/results`, { recursive: true });
  writeFileSync(`${ROOT}bench/results/ca.json`, `${JSON.stringify(result, null, 2)}\n`);

  const section = `${START}
## CA — \`npm run bench:ca\`

The CA runs as its own process (\`phoenix run ca\`); the load comes from another. Measured ${date.slice(0, 10)} at ${commit} on
${machine.cpus} CPUs (${machine.model}), Node ${machine.node}${o.params['quick'] ? ' (quick mode)' : ''}. The machine is shared and noisy:
read the ratios, which come from the same run; re-measure on a quiet machine for absolute figures.

| what | result | baseline in the same run | ratio |
|---|---|---|---|
| certificates issued through \`POST /1.0/sign\` (ECDSA P-256, ${String(o.params['concurrency'])} clients, median of ${String(o.params['rounds'])} × ${String(o.params['roundSeconds'])} s) | **${o.sign.certsPerSecond.toFixed(0)} certs/s** (p50 ${o.sign.p50Ms.toFixed(1)} ms, p99 ${o.sign.p99Ms.toFixed(1)} ms, ${o.sign.errors} errors) | raw in-process signing, no HTTP/token/store: ${o.raw.certsPerSecond.toFixed(0)} certs/s | ${ratios.signApiOverRaw.toFixed(2)}× |
| full ACME order with lego (new account → order → http-01 → finalize → download, process start included; median of ${String(o.params['orders'])}) | **${o.orders.legoMs.toFixed(0)} ms** | in-process acme-client, same flow, no client start-up: ${o.orders.acmeClientMs.toFixed(0)} ms | ${ratios.legoOverAcmeClient.toFixed(2)}× |
| full ACME order with certbot \`certonly --standalone\` | ${o.orders.certbotMs.toFixed(0)} ms | lego | ${ratios.certbotOverLego.toFixed(2)}× |

What the sign figure includes per certificate: TLS request, JWT (ES256) check, single-use ledger write, CSR
verification, name policy, signing, inventory and audit rows in SQLite; the signing itself runs on libuv's
thread pool, so on a loaded 2-core machine much of a request's time is waiting for it. The ACME order times are
whole client runs: the CA answers a challenge POST once a quick validation is done (so lego needs no poll) and
sends \`Retry-After: 1\` while anything is in progress; acme-client's figure includes its own polling backoff,
certbot's is mostly Python start-up.
${END}`;
  const file = `${ROOT}docs/PERFORMANCE.md`;
  const current = existsSync(file) ? readFileSync(file, 'utf8') : "# Phoenix — performance\n\nHow each figure is measured: see the project's BENCHMARKS document. One section per benchmark.\n";
  const next = current.includes(START) ? current.replace(new RegExp(`${START}[\\s\\S]*?${END}`), section) : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
}
