import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { readBody } from './json-body.js';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const PHOENIX_BIN = join(REPO_ROOT, 'bin', 'phoenix.js');

export interface Platform {
  home: string;
  proc: ChildProcess;
  output: () => string;
  gatewayUrl: string;
  hubUrl: string;
  apiKey: string;
  adminPassword: string;
  rootPem: string;
  /** undici Agent trusting only Phoenix's root. */
  agent: Agent;
  /** Sends SIGINT to the process group (Ctrl-C) and waits for the supervisor to exit; returns its exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `phoenix up` (what `npm start` runs after building) in a fresh temporary PHOENIX_HOME with
 * every port chosen free, and waits for its ready line.
 */
export async function startPlatform(extraEnv: Record<string, string> = {}, timeoutMs = 120_000): Promise<Platform> {
  const home = mkdtempSync(join(tmpdir(), 'phoenix-home-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PHOENIX_HOME: home,
    PHOENIX_CA_PORT: '0',
    PHOENIX_HUB_PORT: '0',
    PHOENIX_ROUTER_PORT: '0',
    PHOENIX_GATEWAY_PORT: '0',
    ...extraEnv,
  };
  delete env['PHOENIX_API_KEY'];
  delete env['PHOENIX_ADMIN_PASSWORD'];
  Object.assign(env, extraEnv);
  // Its own process group, like a command started in a terminal: stop() sends SIGINT to the whole
  // group, as Ctrl-C does.
  const proc = spawn(process.execPath, [PHOENIX_BIN, 'up'], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const killGroup = () => {
    try {
      process.kill(-(proc.pid as number), 'SIGKILL');
    } catch {
      /* already gone */
    }
  };
  process.once('exit', killGroup);
  let out = '';
  proc.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const gatewayUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`phoenix up not ready after ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const onData = () => {
      const m = /Phoenix is ready: (https:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    };
    proc.stdout?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`phoenix up exited with ${code} before ready:\n${out}`));
    });
  });
  const hubUrl = (/hub\s+(https:\/\/\S+)/.exec(out) as RegExpExecArray)[1] as string;
  const rootPem = readFileSync(join(home, 'ca', 'root_ca.crt'), 'utf8');
  const agent = new Agent({ connect: { ca: rootPem } });
  let stopped: Promise<number | null> | undefined;
  return {
    home,
    proc,
    output: () => out,
    gatewayUrl,
    hubUrl,
    apiKey: readFileSync(join(home, 'api-key'), 'utf8').trim(),
    adminPassword: readFileSync(join(home, 'admin-password'), 'utf8').trim(),
    rootPem,
    agent,
    stop: () =>
      (stopped ??= (async () => {
        if (proc.exitCode === null) process.kill(-(proc.pid as number), 'SIGINT');
        const code = await exited;
        process.off('exit', killGroup);
        await agent.close();
        return code;
      })()),
  };
}

export function removeHome(p: Platform | undefined): void {
  if (p) rmSync(p.home, { recursive: true, force: true });
}

/** Logs in to the hub as admin and returns a bearer token. */
export async function hubToken(p: Platform): Promise<string> {
  const res = await request(`${p.hubUrl}/api/auth/login`, {
    method: 'POST',
    dispatcher: p.agent,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: p.adminPassword }),
  });
  const body = (await res.body.json()) as { token: string };
  if (res.statusCode !== 200) throw new Error(`hub login failed: ${res.statusCode}`);
  return body.token;
}

export interface InstanceView {
  id: string;
  state: string;
  pid?: number | null;
  url?: string | null;
  restarts: number;
}

export async function hubInstances(p: Platform, token: string): Promise<InstanceView[]> {
  const res = await request(`${p.hubUrl}/api/instances`, { dispatcher: p.agent, headers: { authorization: `Bearer ${token}` } });
  if (res.statusCode !== 200) throw new Error(`hub instances: ${res.statusCode} ${await res.body.text()}`);
  return (await res.body.json()) as InstanceView[];
}

/** A JSON request through the gateway with the API key. */
export async function viaGateway(p: Platform, method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown, headers: Record<string, string> = {}) {
  const started = Date.now();
  const res = await request(`${p.gatewayUrl}${path}`, {
    method,
    dispatcher: p.agent,
    headers: { 'api-key': p.apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? null : JSON.stringify(body),
    headersTimeout: 30_000,
  });
  const { text, json } = await readBody(res);
  return { status: res.statusCode, text, json: json as { result?: unknown; status?: unknown } | undefined, ms: Date.now() - started };
}
