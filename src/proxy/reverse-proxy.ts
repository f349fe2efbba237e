import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import type { Logger } from 'pino';
import { NotFoundError, PhoenixError, errorMessage } from '../core/errors.js';
import { BackendPool } from './backend-pool.js';
import { forward, hasBody, noBackendError, UpstreamError } from './forward.js';
import { HealthChecker } from './health.js';
import type { DynamicConfig, ServerSpec } from './model.js';
import { RouteTable } from './route-table.js';

export interface ReverseProxyOptions {
  logger: Logger;
  /** Aborts health checks when the role closes. */
  signal: AbortSignal;
  /** Builds the connection pool for one upstream server (mTLS with identity checks). */
  createDispatcher: (server: ServerSpec) => Dispatcher;
  /** Time allowed for an upstream to start answering. */
  headersTimeoutMs: number;
  /** Renders an error answer in this role's format. */
  renderError: (res: ServerResponse, err: PhoenixError) => void;
  /**
   * Requests that may be sent again when a connection breaks before any answer (default: GET, HEAD,
   * OPTIONS). Their bodies, up to `retryBodyLimit` bytes, are read before forwarding.
   */
  isRetryable?: (method: string, path: string) => boolean;
  retryBodyLimit?: number;
}

export interface RequestContext {
  requestId: string;
  /** Host header to send upstream (defaults to the incoming one). */
  upstreamHost?: string;
  /** Request headers not passed upstream. */
  dropHeaders?: readonly string[];
}

/** What one forwarded request did; the role writes it to its access log. */
export interface AccessRecord {
  route: string | null;
  service: string | null;
  backend: string | null;
  status: number;
  error?: string;
}

/**
 * The proxy engine shared by the gateway and the router: applies dynamic configuration snapshots
 * (building a new route table beside the live one and swapping it in one step — in-flight requests
 * finish on the table they started with), runs active health checks, and forwards requests to a
 * healthy backend picked by the route's balancer. When the chosen backend refuses the connection
 * the request is retried once on another backend (the request never reached the first one).
 */
export class ReverseProxy {
  private table: RouteTable = new RouteTable([], new Map(), []);
  private readonly pool: BackendPool;
  private readonly health: HealthChecker;
  private lastSnapshot = '';

  constructor(private readonly options: ReverseProxyOptions) {
    this.pool = new BackendPool(options.createDispatcher, options.logger);
    this.health = new HealthChecker(options.logger, options.signal);
  }

  /** Applies a full snapshot; unchanged snapshots are ignored. Returns whether it changed anything. */
  apply(config: DynamicConfig): boolean {
    const text = JSON.stringify(config);
    if (text === this.lastSnapshot) return false;
    this.lastSnapshot = text;
    const next = RouteTable.build(config, this.pool);
    this.table = next;
    this.health.sync(
      [...next.services.values()].flatMap((s) => (s.healthCheck ? s.backends.map((backend) => ({ backend, spec: s.healthCheck as NonNullable<typeof s.healthCheck> })) : [])),
    );
    for (const e of next.errors) this.options.logger.error(e, 'dynamic configuration item disabled');
    this.options.logger.info({ routes: next.routes.map((r) => r.name), backends: this.pool.all().map((b) => b.url) }, 'configuration applied');
    return true;
  }

  async handle(req: IncomingMessage, res: ServerResponse, ctx: RequestContext): Promise<AccessRecord> {
    const table = this.table;
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    const path = (req.url ?? '/').split('?')[0] as string;
    const route = table.match({ host, path, method: req.method ?? 'GET', header: (n) => headerValue(req, n) });
    if (!route) {
      this.options.renderError(res, new NotFoundError('PROXY_NO_ROUTE', `no route for host ${host || '(none)'} and path ${path}`));
      return { route: null, service: null, backend: null, status: 404 };
    }
    const record: AccessRecord = { route: route.name, service: route.service.name, backend: null, status: 0 };
    const method = req.method ?? 'GET';
    let body: Buffer | undefined;
    let retryable = (this.options.isRetryable ?? isSafeMethod)(method, path);
    if (retryable && hasBody(req)) {
      const length = Number(req.headers['content-length'] ?? NaN);
      const limit = this.options.retryBodyLimit ?? 1 << 20;
      if (Number.isFinite(length) && length <= limit) body = await readBody(req);
      else retryable = false; // large or chunked bodies are streamed, and so cannot be sent twice
    }
    const tried = new Set<string>();
    for (let attempt = 0; attempt < 2; attempt++) {
      const backend = route.service.balancer.pick();
      if (!backend || tried.has(backend.key)) break;
      tried.add(backend.key);
      record.backend = backend.url;
      try {
        record.status = await forward(req, res, backend, {
          requestId: ctx.requestId,
          host: ctx.upstreamHost ?? req.headers.host ?? host,
          headersTimeoutMs: this.options.headersTimeoutMs,
          ...(ctx.dropHeaders ? { dropHeaders: ctx.dropHeaders } : {}),
          ...(body ? { body } : {}),
        });
        return record;
      } catch (err) {
        // Send again when the connection broke before any answer and the request can be repeated:
        // a read (buffered), or a request that certainly never left (connection refused, body unread).
        const again =
          err instanceof UpstreamError && err.connectFailed && !res.headersSent && (retryable || (req.readableLength === 0 && !req.readableDidRead));
        if (again && attempt === 0) continue;
        const e = err instanceof PhoenixError ? err : new UpstreamError(502, errorMessage(err), false);
        if (!res.headersSent) this.options.renderError(res, e);
        else res.destroy();
        return { ...record, status: e.status, error: e.message };
      }
    }
    const e = noBackendError(route.service.name);
    this.options.renderError(res, e);
    return { ...record, status: e.status, error: e.message };
  }

  /** The read-only view for status APIs and tests. */
  status(): { routes: Array<{ name: string; rule: string; priority: number; service: string }>; services: Array<{ name: string; backends: Array<{ url: string; identity: string; health: string; reason: string }> }>; errors: ReadonlyArray<{ item: string; error: string }> } {
    return {
      routes: this.table.routes.map((r) => ({ name: r.name, rule: r.rule, priority: r.priority, service: r.service.name })),
      services: [...this.table.services.values()].map((s) => ({
        name: s.name,
        backends: s.backends.map((b) => ({ url: b.url, identity: b.identity, health: b.health, reason: b.reason })),
      })),
      errors: this.table.errors,
    };
  }

  async close(): Promise<void> {
    this.health.close();
    await this.pool.close();
  }
}

function isSafeMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}
