import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import { errorMessage } from '../core/errors.js';
import type { PhoenixEnv } from './env.js';
import { homeLayout } from './paths.js';
import { readState } from './state.js';

interface Check {
  what: string;
  healthy: boolean;
  detail: string;
}

type Call = (url: string, init?: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string }) => Promise<{ status: number; text: string }>;

/**
 * `phoenix status`: asks every role of the platform started by `phoenix up` in $PHOENIX_HOME how it
 * is. The CA, hub and gateway are asked directly; the router, agents and replicas through the hub
 * (which sees their discovery polls and heartbeats); the data path end to end through the gateway.
 * Returns the exit code: 0 only when everything is healthy.
 */
export async function status(env: PhoenixEnv, print: (line: string) => void): Promise<number> {
  const paths = homeLayout(env.home);
  const state = readState(paths.state);
  if (!state) {
    print(`Phoenix is not running in ${paths.home} (no ${paths.state}); start it with: npm start`);
    return 1;
  }
  const agent = new Agent({ connect: { ca: readFileSync(paths.rootCert, 'utf8') } });
  const call: Call = async (url, init = {}) => {
    const res = await request(url, { dispatcher: agent, method: init.method ?? 'GET', headers: init.headers ?? {}, body: init.body ?? null, headersTimeout: 5000, bodyTimeout: 5000 });
    return { status: res.statusCode, text: await res.body.text() };
  };
  const checks: Check[] = [];
  const probe = async (what: string, url: string | undefined) => {
    if (!url) return void checks.push({ what, healthy: false, detail: 'no endpoint recorded' });
    try {
      const r = await call(url);
      checks.push({ what, healthy: r.status === 200, detail: `${r.status} ${r.text.slice(0, 80).trim()}` });
    } catch (err) {
      checks.push({ what, healthy: false, detail: errorMessage(err) });
    }
  };
  const api = (role: string) => state.roles[role]?.api;
  try {
    checks.push({ what: 'supervisor', healthy: alive(state.pid), detail: `pid ${state.pid}` });
    await probe('ca', api('ca') && `${api('ca')}/health`);
    await probe('hub', api('hub') && `${api('hub')}/health`);
    await probe('gateway', api('gateway') && `${api('gateway')}/healthz`);
    await probe('data path (gateway → replica)', api('gateway') && `${api('gateway')}/readyz`);
    const hub = api('hub');
    if (hub) await hubView(hub, adminPassword(env, paths.adminPassword), call, checks);
  } finally {
    await agent.close();
  }
  for (const c of checks) print(`${c.healthy ? 'ok  ' : 'FAIL'}  ${c.what.padEnd(32)} ${c.detail}`);
  const healthy = checks.every((c) => c.healthy);
  print(healthy ? 'Phoenix is healthy.' : 'Phoenix is NOT healthy.');
  return healthy ? 0 : 1;
}

/** Router, agents and replicas as the hub sees them. */
async function hubView(hubUrl: string, password: string | undefined, call: Call, checks: Check[]): Promise<void> {
  try {
    if (!password) throw new Error('no admin password (set PHOENIX_ADMIN_PASSWORD)');
    const login = await call(`${hubUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
    if (login.status !== 200) throw new Error(`hub login failed: ${login.status} ${login.text.slice(0, 120)}`);
    const token = (JSON.parse(login.text) as { token: string }).token;
    const res = await call(`${hubUrl}/api/status`, { headers: { authorization: `Bearer ${token}` } });
    if (res.status !== 200) throw new Error(`hub status failed: ${res.status}`);
    const view = JSON.parse(res.text) as {
      roles?: Array<{ role: string; name: string; healthy: boolean; detail?: string }>;
      instances?: Array<{ id: string; state: string; url?: string | null }>;
    };
    for (const r of view.roles ?? []) {
      if (r.role === 'ca' || r.role === 'hub' || r.role === 'gateway') continue; // asked directly
      checks.push({ what: `${r.role} ${r.name}`, healthy: r.healthy, detail: r.detail ?? '' });
    }
    const replicas = await replicationView(hubUrl, token, call);
    for (const i of view.instances ?? []) {
      const r = replicas.get(i.id);
      // A member of a replica set: its role, epoch, applied position and lag; not ready (catching up) is not healthy.
      const replication = r?.role ? ` ${r.role} epoch ${r.epoch ?? '?'} position ${r.position ?? '?'} lag ${r.lag ?? '?'}${r.ready === false ? ` (not ready: ${r.detail ?? ''})` : ''}` : '';
      checks.push({ what: `replica ${i.id}`, healthy: i.state === 'running' && r?.ready !== false, detail: `${i.state}${replication} ${i.url ?? ''}`.trim() });
    }
  } catch (err) {
    checks.push({ what: 'hub view (router, agents, replicas)', healthy: false, detail: errorMessage(err) });
  }
}

interface ReplicaLine {
  id: string;
  role: string | null;
  epoch: number | null;
  position: number | null;
  lag: number | null;
  ready: boolean | null;
  detail: string | null;
}

/** Each replica's role, epoch, applied position and lag, from the hub's replication controller (empty when unavailable). */
async function replicationView(hubUrl: string, token: string, call: Call): Promise<Map<string, ReplicaLine>> {
  const out = new Map<string, ReplicaLine>();
  try {
    const res = await call(`${hubUrl}/api/replication`, { headers: { authorization: `Bearer ${token}` } });
    if (res.status !== 200) return out;
    const view = JSON.parse(res.text) as { sets?: Array<{ replicas?: ReplicaLine[] }> };
    for (const set of view.sets ?? []) for (const r of set.replicas ?? []) out.set(r.id, r);
  } catch {
    /* an older hub: no replication view */
  }
  return out;
}

function adminPassword(env: PhoenixEnv, file: string): string | undefined {
  if (env.adminPassword) return env.adminPassword;
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
