import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { WrkResult } from './proxy-wrk.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const START = '<!-- bench:proxy:start -->';
const END = '<!-- bench:proxy:end -->';

type ChainSummary = { rps: number; p50Ms: number; p99Ms: number; cpuUsPerRequest: number; errors: number; runs: WrkResult[] };

export interface ProxyBenchOutcome {
  params: Record<string, unknown>;
  summary: Record<'phoenix' | 'nginx' | 'nodeHttpProxy' | 'direct', ChainSummary>;
  ratios: { phoenixOverNginx: number; phoenixOverNodeHttpProxy: number; phoenixOverDirect: number };
}

/** bench/results/proxy.json (BENCHMARKS.md format) and the proxy section of docs/PERFORMANCE.md. */
export function writeResults(o: ProxyBenchOutcome): void {
  let commit = 'unknown';
  try {
    commit = execSync('git rev-parse --short HEAD', { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    /* not a git checkout */
  }
  const date = new Date().toISOString();
  const machine = { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version };
  const result = {
    name: 'proxy',
    date,
    commit,
    machine,
    params: o.params,
    metrics: { phoenix: o.summary.phoenix },
    baselines: { nginx: o.summary.nginx, nodeHttpProxy: o.summary.nodeHttpProxy, direct: o.summary.direct },
    ratios: o.ratios,
  };
  mkdirSync(`${ROOT}bench/results`, { recursive: true });
  writeFileSync(`${ROOT}bench/results/proxy.json`, `${JSON.stringify(result, null, 2)}\n`);

  const row = (name: string, s: ChainSummary) => `| ${name} | ${s.rps.toFixed(0)} | ${s.p50Ms.toFixed(2)} | ${s.p99Ms.toFixed(2)} | ${s.cpuUsPerRequest.toFixed(0)} | ${s.errors} |`;
  const section = `${START}
## Data path — \`npm run bench:proxy\`

wrk \`-t2 -c${String(o.params['connections'])}\`, ${String(o.params['seconds'])} s per run after a ${String(o.params['warmupSeconds'])} s warm-up, ${String(o.params['rounds'])} rounds interleaved,
medians; small JSON POST; HTTPS in, mTLS between hops, keep-alive everywhere; backend: nginx \`return 200\`
with mTLS. Measured ${date.slice(0, 10)} at ${commit} on ${machine.cpus} CPUs (${machine.model}), Node ${machine.node}${o.params['quick'] ? ' (quick mode)' : ''}.
The machine is shared and noisy (1-minute load average ${JSON.stringify(o.params['loadAverage'])} before/after on ${machine.cpus} cores):
compare the ratios, which come from the same run, and re-measure on a quiet machine. "hop CPU" is the CPU time
(user + system, from /proc) the chain's proxy processes spent per request — steadier than req/s on a busy
machine (for the direct row it is the backend's own). Settings (bench/proxy.ts, bench/proxy-nginx.ts,
bench/proxy-hop.ts): access logs off on every chain (nginx \`access_log off\`, Phoenix \`accessLog: false\`;
\`--access-log\` turns Phoenix's on — the product's default), Phoenix hops otherwise as configured by
default (API key check, security headers, body limit, request ids, metrics). Why Phoenix forwards with
its own upstream pool rather than undici is measured by \`node dist/bench/proxy-upstream.js\` (docs/ROUTING.md).

| chain | req/s | p50 ms | p99 ms | hop CPU µs/req | errors |
|---|---|---|---|---|---|
${row('Phoenix gateway → router → backend', o.summary.phoenix)}
${row('nginx → nginx → backend', o.summary.nginx)}
${row('node-http-proxy → node-http-proxy → backend', o.summary.nodeHttpProxy)}
${row('backend direct (TLS, upper bound)', o.summary.direct)}

Phoenix / nginx: **${o.ratios.phoenixOverNginx.toFixed(2)}×** (target ≥ 0.3×); Phoenix / node-http-proxy:
**${o.ratios.phoenixOverNodeHttpProxy.toFixed(2)}×** (target ≥ 2×); Phoenix p99 ${o.summary.phoenix.p99Ms.toFixed(1)} ms (target < 25 ms).
${END}`;
  const file = `${ROOT}docs/PERFORMANCE.md`;
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Phoenix — performance\n\nHow each figure is measured: see the project\'s BENCHMARKS document. One section per benchmark.\n';
  const next = current.includes(START) ? current.replace(new RegExp(`${START}[\\s\\S]*?${END}`), section) : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
}
