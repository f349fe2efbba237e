import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface WrkResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  errors: number;
  non2xx: number;
  /** CPU time (user + system) the chain's hops spent per request, when measured. */
  cpuUsPerRequest?: number;
}

/** A small JSON POST like a Qdrant search, with an API key the gateway checks (the others ignore it). */
export function writeWrkScript(dir: string, apiKey: string): string {
  const body = JSON.stringify({ vector: [0.12, -0.4, 0.33, 0.9, -0.05, 0.27, 0.61, -0.72], limit: 3, with_payload: true });
  const file = join(dir, 'post.lua');
  writeFileSync(
    file,
    `wrk.method = "POST"
wrk.body = '${body}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["api-key"] = "${apiKey}"
`,
  );
  return file;
}

function ms(value: string, unit: string): number {
  const n = Number(value);
  return unit === 'us' ? n / 1000 : unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : n;
}

export function parseWrk(out: string): WrkResult {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const pct = (p: string) => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(out);
    return m ? ms(m[1] as string, m[2] as string) : NaN;
  };
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = sock ? sock.slice(1).reduce((s, v) => s + Number(v), 0) : 0;
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  return { rps, p50Ms: pct('50'), p99Ms: pct('99'), requests, errors, non2xx };
}

/** Runs wrk with 2 threads and 64 connections for `seconds` against `url`. */
export function runWrk(url: string, script: string, seconds: number, connections = 64): Promise<WrkResult> {
  return new Promise((resolve, reject) => {
    const p = spawn('wrk', ['-t2', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', script, url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.stderr.on('data', (c: Buffer) => (out += c.toString()));
    p.on('error', reject);
    p.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`wrk exited ${code}: ${out}`));
      const r = parseWrk(out);
      if (!Number.isFinite(r.rps)) return reject(new Error(`cannot read wrk output:\n${out}`));
      resolve(r);
    });
  });
}
