/**
 * Replica sets in this process for the replication tests: real `startVector` replicas on port 0
 * with mTLS (identities from a TestCa), an agent identity that sends them assignments the way the
 * hub's controller does through an agent, and a router identity that sends them Qdrant requests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request, type Agent } from 'undici';
import { TestCa, TEST_TRUST_DOMAIN } from '../../fixtures/test-ca.js';
import { validateConfig } from '../../../src/core/config.js';
import type { RoleHandle } from '../../../src/core/lifecycle.js';
import { createLogger, silentLogger } from '../../../src/core/log.js';
import { createMtlsAgent, IdentityPolicy, type TlsIdentity } from '../../../src/core/tls/index.js';
import { startVector, vectorConfigSchema } from '../../../src/vector/main.js';
import type { ReplicaStatus } from '../../../src/vector/replication/wire.js';
import { readBody } from '../../helpers/json-body.js';

export interface Node {
  id: string;
  dataDir: string;
  identity: TlsIdentity;
  handle: RoleHandle | undefined;
  url: string;
}

export interface Reply {
  status: number;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
  servedBy: string | undefined;
}

export class Cluster {
  readonly nodes = new Map<string, Node>();
  epoch = 0;
  private constructor(
    readonly ca: TestCa,
    readonly root: string,
    private readonly agentClient: Agent,
    private readonly routerClient: Agent,
    readonly settings: Record<string, number>,
  ) {}

  static async create(ids: string[], settings: Record<string, number> = {}): Promise<Cluster> {
    const ca = await TestCa.create();
    const agent = await ca.identity('agent', 'host-a');
    const router = await ca.identity('router', 'r1');
    const policy = IdentityPolicy.roles(TEST_TRUST_DOMAIN, 'vector');
    const c = new Cluster(ca, mkdtempSync(join(tmpdir(), 'phoenix-repl-')), createMtlsAgent(agent, { serverPolicy: policy }), createMtlsAgent(router, { serverPolicy: policy }), settings);
    for (const id of ids) {
      c.nodes.set(id, { id, dataDir: join(c.root, id), identity: await ca.identity('vector', id), handle: undefined, url: '' });
      await c.start(id);
    }
    return c;
  }

  node(id: string): Node {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  async start(id: string, mode: 'managed' | 'standalone' = 'managed'): Promise<void> {
    const n = this.node(id);
    const config = validateConfig(vectorConfigSchema, { name: id, trustDomain: TEST_TRUST_DOMAIN, dataDir: n.dataDir, log: { level: 'silent' }, listen: { host: '127.0.0.1', port: 0 }, replication: { mode } }, 'vector');
    n.handle = await startVector(config, { identity: n.identity, logger: process.env['PHOENIX_TEST_LOG'] ? createLogger('vector', id, { level: 'debug' }) : silentLogger() });
    n.url = n.handle.endpoints['api'] as string;
  }

  async stop(id: string): Promise<void> {
    const n = this.node(id);
    await n.handle?.close();
    n.handle = undefined;
  }

  ref(id: string) {
    const n = this.node(id);
    return { id, url: n.url, identity: `spiffe://${TEST_TRUST_DOMAIN}/vector/${id}` };
  }

  /** Sends every node its assignment: `leader` leads at `epoch`, the others follow. */
  async assign(leader: string | null, options: { epoch?: number; joining?: string[]; drain?: boolean; members?: string[]; only?: string[] } = {}): Promise<Map<string, ReplicaStatus>> {
    if (options.epoch !== undefined) this.epoch = options.epoch;
    const members = (options.members ?? [...this.nodes.keys()]).map((id) => ({ id, joining: options.joining?.includes(id) ?? false }));
    const out = new Map<string, ReplicaStatus>();
    for (const id of options.only ?? [...this.nodes.keys()]) {
      if (!this.node(id).handle) continue;
      const role = leader === null ? 'candidate' : id === leader ? 'leader' : 'follower';
      const body = { set: 'test/qdrant', mode: 'member', epoch: this.epoch, role, leader: leader === null ? null : this.ref(leader), members, drain: id === leader && (options.drain ?? false), settings: this.settings };
      const r = await this.admin(id, 'PUT', '/phoenix/replication/assignment', body);
      if (r.status !== 200) throw new Error(`assignment of ${id}: ${r.status} ${r.text}`);
      out.set(id, r.json as ReplicaStatus);
    }
    return out;
  }

  async status(id: string): Promise<ReplicaStatus> {
    const r = await this.admin(id, 'GET', '/phoenix/replication/status');
    if (r.status !== 200) throw new Error(`status of ${id}: ${r.status} ${r.text}`);
    return r.json as ReplicaStatus;
  }

  admin(id: string, method: string, path: string, body?: unknown): Promise<Reply> {
    return this.call(this.agentClient, this.node(id).url, method, path, body);
  }

  /** A Qdrant request to one replica, as the router sends it. */
  api(id: string, method: string, path: string, body?: unknown): Promise<Reply> {
    return this.call(this.routerClient, this.node(id).url, method, path, body);
  }

  private async call(dispatcher: Agent, base: string, method: string, path: string, body?: unknown): Promise<Reply> {
    const res = await request(`${base}${path}`, {
      method: method as 'GET',
      dispatcher,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
      headersTimeout: 60_000,
    });
    const { text, json } = await readBody(res);
    const served = res.headers['x-phoenix-served-by'];
    return { status: res.statusCode, text, json, servedBy: typeof served === 'string' ? served : undefined };
  }

  /** Every point of a collection on one replica, sorted by id (full scroll). */
  async scrollAll(id: string, collection: string): Promise<unknown[]> {
    const points: Array<{ id: number | string }> = [];
    let offset: unknown = null;
    do {
      const r = await this.api(id, 'POST', `/collections/${collection}/points/scroll`, { limit: 1000, with_payload: true, with_vector: true, ...(offset !== null ? { offset } : {}) });
      if (r.status !== 200) throw new Error(`scroll on ${id}: ${r.status} ${r.text}`);
      if (r.servedBy !== id) throw new Error(`scroll on ${id} was answered by ${r.servedBy ?? 'nobody'} (${id} is not in sync)`);
      points.push(...(r.json.result.points as Array<{ id: number | string }>));
      offset = r.json.result.next_page_offset;
    } while (offset !== null && offset !== undefined);
    return points.sort((a, b) => String(a.id).localeCompare(String(b.id), 'en', { numeric: true }));
  }

  async close(): Promise<void> {
    for (const id of this.nodes.keys()) await this.stop(id).catch(() => undefined);
    await this.agentClient.close();
    await this.routerClient.close();
    rmSync(this.root, { recursive: true, force: true });
  }
}

export function points(from: number, n: number, dim = 4, tag = 'v'): Array<{ id: number; vector: number[]; payload: Record<string, unknown> }> {
  return Array.from({ length: n }, (_, i) => {
    const id = from + i;
    return { id, vector: Array.from({ length: dim }, (_, k) => Math.sin(id * 7 + k) + 1.5), payload: { n: id, tag } };
  });
}
