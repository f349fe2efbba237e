/**
 * The replication tests' view of a running `phoenix up`: the hub's replication view, direct mTLS
 * calls to each replica (as a router would make them, with an identity from the platform's CA),
 * extra agents on other loopback addresses (other "hosts"), the official client's load as a child
 * process, kill -9 of a replica's process, and stack changes through the hub.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request, type Agent } from 'undici';
import { loadProvisionerKey, mintToken } from '../../../src/core/ca-client/index.js';
import { validateConfig } from '../../../src/core/config.js';
import type { RoleHandle } from '../../../src/core/lifecycle.js';
import { silentLogger } from '../../../src/core/log.js';
import { createMtlsAgent, IdentityPolicy, remoteIssuer, TlsIdentity } from '../../../src/core/tls/index.js';
import { agentConfigSchema } from '../../../src/agent/config.js';
import { startAgent } from '../../../src/agent/main.js';
import type { ReplicationView } from '../../../src/hub/replication/controller.js';
import type { ReplicaStatus } from '../../../src/vector/replication/wire.js';
import { hubToken, PHOENIX_BIN, type Platform } from '../../helpers/platform.js';
import { readBody } from '../../helpers/json-body.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers of the APIs under test */
export const TD = 'phoenix.internal';
const LOAD = fileURLToPath(new URL('./client-load.js', import.meta.url));

export type ReplicaView = ReplicationView['sets'][number]['replicas'][number];
export type SetView = ReplicationView['sets'][number];

export interface LoadResult {
  completed: number[];
  completedAt: number[];
  writeErrors: Array<{ at: number; ids: number[]; error: string }>;
  readErrors: Array<{ at: number; error: string }>;
  missing: Array<{ at: number; id: number }>;
  reads: number;
  payloadWrites: number;
  ms: number;
}

export class Support {
  private readonly agents: RoleHandle[] = [];
  private readonly dirs: string[] = [];
  private router: Agent | undefined;
  private admin: Agent | undefined;
  readonly caUrl: string;

  private constructor(
    readonly p: Platform,
    readonly token: string,
  ) {
    this.caUrl = (/ca\s+(https:\/\/\S+)/.exec(p.output()) as RegExpExecArray)[1] as string;
  }

  static async create(p: Platform): Promise<Support> {
    return new Support(p, await hubToken(p));
  }

  /** An identity from the platform's CA (its provisioner key is in $PHOENIX_HOME). */
  async identity(role: string, name: string, ips: string[]): Promise<TlsIdentity> {
    const provisioner = loadProvisionerKey(join(this.p.home, 'ca', 'secrets', 'provisioner.json'));
    const req = { trustDomain: TD, role, name, dnsNames: ['localhost'], ipAddresses: ips };
    const sans = TlsIdentity.sansOf(req);
    const token = await mintToken(provisioner, { subject: sans[sans.length - 1] as string, sans, caUrl: this.caUrl });
    return TlsIdentity.obtain(req, remoteIssuer({ url: this.caUrl, rootPem: this.p.rootPem }, async () => token), { logger: silentLogger() });
  }

  /** Another host: an agent advertising `address` (a loopback address of its own), syncing with the hub. */
  async addAgent(name: string, address: string): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), `phoenix-agent-${name}-`));
    this.dirs.push(dir);
    const rootFile = join(dir, 'root.pem');
    writeFileSync(rootFile, this.p.rootPem);
    const config = validateConfig(
      agentConfigSchema,
      { name, trustDomain: TD, dataDir: dir, log: { level: 'silent' }, hubUrl: this.p.hubUrl, ca: { url: this.caUrl, rootFile }, advertiseAddress: address, syncInterval: '500ms', runtime: { phoenixBin: PHOENIX_BIN, stopGrace: '5s', readyTimeout: '60s' } },
      'agent',
    );
    this.agents.push(await startAgent(config, { identity: await this.identity('agent', name, [address]), logger: silentLogger() }));
  }

  async hub(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; json: any; text: string }> {
    const res = await request(`${this.p.hubUrl}${path}`, {
      method: method as 'GET',
      dispatcher: this.p.agent,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': contentType }) },
      body: body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const { text, json } = await readBody(res);
    return { status: res.statusCode, json, text };
  }

  async set(): Promise<SetView> {
    const r = await this.hub('GET', '/api/replication');
    if (r.status !== 200) throw new Error(`replication view: ${r.status} ${r.text}`);
    const set = (r.json as ReplicationView).sets.find((s) => s.set === 'qdrant_service/qdrant');
    if (!set) throw new Error('no qdrant_service/qdrant replica set');
    return set;
  }

  /** Replaces the stack (version bump, deployed at once). */
  async deploy(yaml: string): Promise<void> {
    const r = await this.hub('PUT', '/api/stacks/qdrant_service', yaml, 'application/yaml');
    if (r.status !== 200) throw new Error(`deploy: ${r.status} ${r.text}`);
  }

  async instances(): Promise<Array<{ id: string; state: string; pid: number | null; url: string | null; desired: boolean }>> {
    const r = await this.hub('GET', '/api/instances');
    return r.json;
  }

  async pidOf(id: string): Promise<number> {
    const i = (await this.instances()).find((x) => x.id === id);
    if (!i?.pid) throw new Error(`no pid for ${id}`);
    return i.pid;
  }

  /** A Qdrant request straight to one replica, as the router sends it (mTLS, router identity). */
  async direct(id: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any; servedBy: string | undefined }> {
    this.router ??= createMtlsAgent(await this.identity('router', 'test-router', ['127.0.0.1']), { serverPolicy: IdentityPolicy.roles(TD, 'vector') });
    const url = (await this.instances()).find((x) => x.id === id)?.url;
    if (!url) throw new Error(`${id} has no url`);
    const res = await request(`${url}${path}`, { method: method as 'GET', dispatcher: this.router, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? null : JSON.stringify(body), headersTimeout: 60_000 });
    const text = await res.body.text();
    const served = res.headers['x-phoenix-served-by'];
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    return { status: res.statusCode, json, servedBy: typeof served === 'string' ? served : undefined };
  }

  /** A replica's own replication status (fresh, not the hub's last report), asked as an agent would. */
  async status(id: string): Promise<ReplicaStatus> {
    this.admin ??= createMtlsAgent(await this.identity('agent', 'test-admin', ['127.0.0.1']), { serverPolicy: IdentityPolicy.roles(TD, 'vector') });
    const url = (await this.instances()).find((x) => x.id === id)?.url;
    if (!url) throw new Error(`${id} has no url`);
    const res = await request(`${url}/phoenix/replication/status`, { dispatcher: this.admin, headersTimeout: 10_000 });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`status of ${id}: ${res.statusCode} ${text}`);
    return JSON.parse(text) as ReplicaStatus;
  }

  /** Every point of a collection as one replica holds it (answered by that replica itself), sorted by id. */
  async scrollAll(id: string, collection: string): Promise<Array<{ id: number; payload: unknown; vector: unknown }>> {
    const points: Array<{ id: number; payload: unknown; vector: unknown }> = [];
    let offset: unknown = null;
    do {
      const r = await this.direct(id, 'POST', `/collections/${collection}/points/scroll`, { limit: 2000, with_payload: true, with_vector: true, ...(offset !== null ? { offset } : {}) });
      if (r.status !== 200) throw new Error(`scroll on ${id}: ${r.status} ${JSON.stringify(r.json)}`);
      if (r.servedBy !== id) throw new Error(`scroll on ${id} was answered by ${r.servedBy} (${id} is not in sync)`);
      points.push(...r.json.result.points);
      offset = r.json.result.next_page_offset;
    } while (offset !== null && offset !== undefined);
    return points.sort((a, b) => a.id - b.id);
  }

  /** Starts the official client's load in its own process; `stop()` ends it and returns its summary. */
  startLoad(env: Record<string, string>): { stop: () => Promise<LoadResult>; done: Promise<LoadResult> } {
    const dir = mkdtempSync(join(tmpdir(), 'phoenix-load-'));
    const stopFile = join(dir, 'stop');
    const outFile = join(dir, 'out.json');
    const child = spawn(process.execPath, [LOAD], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: join(this.p.home, 'ca', 'root_ca.crt'), GATEWAY_URL: this.p.gatewayUrl, PHOENIX_API_KEY: this.p.apiKey, STOP_FILE: stopFile, OUT_FILE: outFile, ...env },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const done = new Promise<LoadResult>((resolve, reject) => {
      child.once('exit', (code) => {
        try {
          if (!existsSync(outFile)) throw new Error(`load exited with ${code} and no summary`);
          resolve(JSON.parse(readFileSync(outFile, 'utf8')) as LoadResult);
        } catch (err) {
          reject(err as Error);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });
    });
    return {
      done,
      stop: async () => {
        writeFileSync(stopFile, '');
        return done;
      },
    };
  }

  async close(): Promise<void> {
    for (const a of this.agents) await a.close().catch(() => undefined);
    await this.router?.close();
    await this.admin?.close();
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
  }
}

/** The default stack with `replicas` and extra labels for the qdrant service (same runtime spec: no restart). */
export function stackYaml(replicas: number, labels: Record<string, string> = {}, extra = ''): string {
  const more = Object.entries(labels)
    .map(([k, v]) => `      ${k}: "${v}"\n`)
    .join('');
  return `name: qdrant_service
services:
  qdrant:
    runtime: embedded
    replicas: ${replicas}
    labels:
      phoenix.router.host: qdrant
      phoenix.router.default: "true"
${more}    healthcheck:
      path: /readyz
      interval: 2s
      timeout: 1s
${extra}`;
}
