/**
 * A small lab for data-path tests: a test CA, mTLS backends that record what reaches them, the
 * router and gateway started with the same functions `phoenix run` uses, and clients — one
 * trusting the root (for the gateway), one holding a gateway identity (to call the router directly).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Agent, request } from 'undici';
import { TestCa, TEST_TRUST_DOMAIN } from '../../fixtures/test-ca.js';
import { silentLogger } from '../../../src/core/log.js';
import type { TlsIdentity } from '../../../src/core/tls/index.js';
import { gatewayConfigSchema } from '../../../src/gateway/config.js';
import { startGateway, type GatewayHandle } from '../../../src/gateway/main.js';
import { routerConfigSchema } from '../../../src/router/config.js';
import { startRouter, type RouterHandle } from '../../../src/router/main.js';
import { startMtlsServer, type TestServer } from '../../helpers/tls-servers.js';

export const TD = TEST_TRUST_DOMAIN;
export const API_KEY = 'lab-api-key-0123456789abcdef';

export interface Hit {
  backend: string;
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}

export interface LabBackend extends TestServer {
  name: string;
  identity: TlsIdentity;
  /** `spiffe://…/vector/<name>` */
  spiffe: string;
  hits: Hit[];
  /** Replace the answer (default: 200 JSON echo). */
  handler: (req: IncomingMessage, res: ServerResponse, body: string) => void;
}

export function echo(name: string) {
  return (req: IncomingMessage, res: ServerResponse, body: string) => {
    if (req.url === '/readyz') return void res.end('all shards are ready');
    const text = JSON.stringify({ result: { backend: name, path: req.url, method: req.method, body }, status: 'ok', time: 0 });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
}

export class ProxyLab {
  readonly backends: LabBackend[] = [];
  private readonly closers: Array<() => Promise<void>> = [];
  private gatewayIdentity: TlsIdentity | undefined;

  private constructor(readonly ca: TestCa) {}

  static async create(): Promise<ProxyLab> {
    return new ProxyLab(await TestCa.create());
  }

  async backend(name: string, options: { role?: string; port?: number; identityName?: string } = {}): Promise<LabBackend> {
    const identity = await this.ca.identity(options.role ?? 'vector', options.identityName ?? name);
    const hits: Hit[] = [];
    const lab: Partial<LabBackend> = { name, identity, hits, spiffe: `spiffe://${TD}/${options.role ?? 'vector'}/${options.identityName ?? name}`, handler: echo(name) };
    const server = await startMtlsServer(
      identity,
      ['router', 'gateway'],
      (req, res) => {
        let body = '';
        req.setEncoding('utf8');
        req.on('data', (c: string) => (body += c));
        req.on('end', () => {
          if (req.url !== '/readyz') hits.push({ backend: name, method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, at: Date.now() });
          (lab.handler as LabBackend['handler'])(req, res, body);
        });
      },
      options.port ?? 0,
    );
    Object.assign(lab, server);
    const b = lab as LabBackend;
    this.backends.push(b);
    this.closers.push(async () => {
      server.server.closeAllConnections();
      await server.close();
    });
    return b;
  }

  async router(config: Record<string, unknown>, identity?: TlsIdentity): Promise<RouterHandle> {
    const handle = await startRouter(routerConfigSchema.parse({ name: 'router', trustDomain: TD, dataDir: '/tmp', listen: { port: 0 }, status: { port: 0 }, accessLog: false, throttle: 50, ...config }), {
      identity: identity ?? (await this.ca.identity('router', 'router')),
      logger: silentLogger(),
    });
    this.closers.push(() => handle.close());
    return handle;
  }

  async gateway(routerUrl: string, config: Record<string, unknown> = {}, identity?: TlsIdentity): Promise<GatewayHandle> {
    const handle = await startGateway(gatewayConfigSchema.parse({ name: 'gw', trustDomain: TD, dataDir: '/tmp', listen: { port: 0 }, status: { port: 0 }, routerUrl, apiKey: API_KEY, accessLog: false, ...config }), {
      identity: identity ?? (await this.ca.identity('gateway', 'gw')),
      logger: silentLogger(),
    });
    this.closers.push(() => handle.close());
    return handle;
  }

  /** A client trusting the test root (for the gateway's public side). */
  client(options: Agent.Options = {}): Agent {
    const agent = new Agent({ connect: { ca: this.ca.rootPem }, ...options });
    this.closers.push(() => agent.close());
    return agent;
  }

  /** A client holding a gateway identity, for calling the router's mTLS listener directly. */
  async asGateway(): Promise<Agent> {
    this.gatewayIdentity ??= await this.ca.identity('gateway', 'lab-client');
    const id = this.gatewayIdentity;
    // Host headers name services, not the router: the chain is checked against the root, not the name.
    const agent = new Agent({ connect: { ca: this.ca.rootPem, key: id.current.keyPem, cert: id.current.chainPem, checkServerIdentity: () => undefined } });
    this.closers.push(() => agent.close());
    return agent;
  }

  /** An mTLS server holding a hub identity that serves the discovery feed `feed()` to routers. */
  async hub(feed: () => unknown): Promise<TestServer> {
    const server = await startMtlsServer(await this.ca.identity('hub', 'hub'), ['router'], (_req, res) => {
      const text = JSON.stringify(feed());
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
    this.closers.push(() => server.close());
    return server;
  }

  async close(): Promise<void> {
    for (const c of this.closers.reverse()) await c().catch(() => undefined);
  }
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: { result?: { backend?: string; path?: string; body?: string } } | undefined;
}

/** One request; resolves whatever the status. */
export async function call(
  agent: Agent,
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Buffer | null } = {},
): Promise<Answer> {
  const res = await request(url, { dispatcher: agent, method: (init.method ?? 'GET') as 'GET', headers: init.headers ?? {}, body: init.body ?? null, headersTimeout: 20_000, bodyTimeout: 20_000 });
  const text = await res.body.text();
  let json: Answer['json'];
  try {
    json = JSON.parse(text) as Answer['json'];
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text, json };
}

/** Reads the status API of a role. */
export async function statusOf(handle: { endpoints: Record<string, string> }): Promise<{
  routers: Array<{ name: string; rule: string; priority: number; service: string }>;
  services: Array<{ name: string; circuit: string | null; backends: Array<{ url: string; health: string; available: boolean; weight: number }> }>;
  errors: Array<{ item: string; error: string }>;
}> {
  const res = await request(`${handle.endpoints['status']}/api/status`);
  return (await res.body.json()) as never;
}

/**
 * Sends requests back to back from `concurrency` loops until stopped; records every failure.
 * The load of the "no request lost" tests.
 */
export function load(send: () => Promise<Answer>, concurrency = 4): { stop(): Promise<{ ok: number; failures: string[] }> } {
  let running = true;
  let ok = 0;
  const failures: string[] = [];
  const loops = Array.from({ length: concurrency }, async () => {
    while (running) {
      try {
        const a = await send();
        if (a.status === 200) ok++;
        else failures.push(`${a.status} ${a.text.slice(0, 160)}`);
      } catch (err) {
        failures.push((err as Error).message);
      }
    }
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return { ok, failures };
    },
  };
}
