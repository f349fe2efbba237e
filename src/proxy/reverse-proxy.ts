import type { Logger } from 'pino';
import { NotFoundError, PhoenixError, UnavailableError, errorMessage } from '../core/errors.js';
import { logAccess } from './access-log.js';
import type { AggregatedConfig } from './aggregator.js';
import { BackendPool } from './backend-pool.js';
import type { Backend } from './backend.js';
import { planBody, readBody } from './body.js';
import type { ServerSpec } from './dynamic-config.js';
import { Exchange, type ProxyRequest, type ProxyResponse } from './exchange.js';
import { forwardOnce, UpstreamError } from './forward.js';
import { upstreamHeaders } from './headers.js';
import { HealthChecker } from './health.js';
import { ProxyMetrics } from './metrics.js';
import type { Middleware, MiddlewareFactory } from './middleware/middleware.js';
import { MiddlewareRegistry } from './middleware/registry.js';
import { assignTrace } from './middleware/request-id/index.js';
import { RouteTable, type Route } from './route-table.js';
import type { ServiceRuntime } from './service.js';
import type { UpstreamPool } from './upstream/pool.js';
import { proxyStatus, type ProxyStatus } from './status.js';

export interface ReverseProxyOptions {
  /** `gateway` or `router`: the metrics' role label. */
  role: string;
  logger: Logger;
  /** Aborts health checks when the role closes. */
  signal: AbortSignal;
  /** Builds the connection pool for one upstream server (mTLS with identity checks). */
  createPool: (server: ServerSpec) => UpstreamPool;
  /** Renders an error answer in this role's format. */
  renderError: (ex: Exchange, err: PhoenixError) => void;
  /** Requests that may be sent again after the backend failed under them (default: GET, HEAD, OPTIONS). */
  isIdempotent?: (method: string, path: string) => boolean;
  /** Run on every request before routing, in order (request ids are assigned before them). */
  entryMiddlewares?: readonly Middleware[];
  /** Middleware types available to dynamic configuration besides the built-in ones. */
  extraMiddlewares?: readonly MiddlewareFactory<never>[];
  /** Host header sent upstream instead of the incoming one. */
  upstreamHost?: string;
  /** Request headers consumed at this hop and not passed on (lower-case). */
  dropHeaders?: readonly string[];
  /** Trust the caller's `x-request-id` and `traceparent` (default true). */
  trustIncomingIds?: boolean;
  /** Write one access-log line per request (default true). */
  accessLog?: boolean;
}

/**
 * The proxy engine shared by the gateway and the router. Applies configuration snapshots (a new
 * route table is built beside the live one and swapped in one assignment; in-flight requests finish
 * on the table they started with), runs active health checks, and takes each request through entry
 * middlewares → route match → route middlewares → circuit breaker → balancer → forward, retrying on
 * another backend when that is safe and the retry budget allows.
 */
export class ReverseProxy {
  private table: RouteTable = RouteTable.empty();
  private readonly pool: BackendPool;
  private readonly health: HealthChecker;
  private readonly registry: MiddlewareRegistry;
  readonly metrics: ProxyMetrics;
  private readonly entry: readonly Middleware[];
  private readonly drop: ReadonlySet<string> | undefined;
  private readonly isIdempotent: (method: string, path: string) => boolean;
  private generation = 0;

  constructor(private readonly options: ReverseProxyOptions) {
    this.pool = new BackendPool(options.createPool, options.logger);
    this.health = new HealthChecker(options.logger, options.signal);
    this.registry = new MiddlewareRegistry(options.extraMiddlewares);
    this.metrics = new ProxyMetrics(options.role, () => this.table);
    this.entry = options.entryMiddlewares ?? [];
    this.drop = options.dropHeaders?.length ? new Set(options.dropHeaders) : undefined;
    this.isIdempotent = options.isIdempotent ?? ((m) => m === 'GET' || m === 'HEAD' || m === 'OPTIONS');
  }

  /** Builds a table from a validated snapshot and swaps it in. */
  apply({ config, errors }: AggregatedConfig): void {
    const next = RouteTable.build(config, errors, this.table, {
      pool: this.pool,
      registry: this.registry,
      logger: this.options.logger,
      rejected: (type, reason) => this.metrics.rejected(type, reason),
    });
    this.table = next;
    this.generation++;
    this.health.sync(
      [...next.services.values()].flatMap((s) => (s.spec.healthCheck ? s.backends.map((backend) => ({ backend, spec: s.spec.healthCheck as NonNullable<typeof s.spec.healthCheck> })) : [])),
    );
    for (const e of next.errors) this.options.logger.error(e, 'dynamic configuration item disabled');
    this.options.logger.info({ generation: this.generation, routes: next.routes.map((r) => r.name), backends: this.pool.all().map((b) => b.url) }, 'configuration applied');
  }

  /** Serves one request (the listener's request handler). */
  handle(req: ProxyRequest, res: ProxyResponse): void {
    const ex = new Exchange(req, res);
    assignTrace(ex, this.options.trustIncomingIds ?? true);
    let route: Route | undefined;
    try {
      for (const m of this.entry) m.onRequest(ex);
      route = this.table.match(ex);
      if (!route) throw new NotFoundError('PROXY_NO_ROUTE', `no route for host ${ex.host || '(none)'} and path ${ex.path}`);
      ex.route = route.name;
      ex.service = route.service.name;
      for (const m of route.middlewares) m.onRequest(ex);
    } catch (err) {
      this.fail(ex, route, err);
      return;
    }
    try {
      this.forward(ex, route);
    } catch (err) {
      this.fail(ex, route, err);
    }
  }

  /** Reads a small body first (so it can be sent again), then sends; callbacks, no promises, on the way. */
  private forward(ex: Exchange, route: Route): void {
    const plan = planBody(ex);
    if (plan.kind === 'buffer') {
      readBody(ex, (err, body) => {
        if (err !== undefined || body === undefined) this.fail(ex, route, err);
        else this.guarded(ex, route, () => this.send(ex, route, body, body.length, true));
      });
    } else if (plan.kind === 'stream') {
      this.send(ex, route, ex.req, plan.length, false);
    } else {
      this.send(ex, route, null, undefined, true);
    }
  }

  private send(ex: Exchange, route: Route, body: Buffer | ProxyRequest | null, bodyLength: number | undefined, replayable: boolean): void {
    const service = route.service;
    service.retryBudget.onRequest();
    if (service.breaker && !service.breaker.allow()) {
      this.fail(ex, route, new UnavailableError('PROXY_CIRCUIT_OPEN', `Service Unavailable: service ${service.name} is failing; its circuit is open`));
      return;
    }
    const headers = upstreamHeaders(ex, { host: this.options.upstreamHost, drop: this.drop }, bodyLength);
    this.attempt(ex, route, headers, body, replayable, 1, undefined);
  }

  /** One attempt on a backend the balancer picks; on a failure that allows it, the next attempt elsewhere. */
  private attempt(ex: Exchange, route: Route, headers: string[], body: Buffer | ProxyRequest | null, replayable: boolean, attempt: number, tried: Set<Backend> | undefined, previous?: Error): void {
    const service = route.service;
    const backend = service.balancer.pick(tried);
    // No (other) backend: 503, saying why the last one tried failed.
    if (!backend) return this.fail(ex, route, noBackend(service, previous));
    ex.backend = backend.url;
    forwardOnce(ex, backend, headers, body, service.spec.responseTimeout, (err, status) => {
      if (!err) {
        ex.status = status;
        const failed = status === 502 || status === 503 || status === 504;
        if (failed) backend.recordFailure(service.spec.passiveHealthCheck, `answered ${status}`);
        else backend.recordSuccess();
        service.breaker?.record(!failed);
        this.complete(ex, route);
        return;
      }
      this.metrics.upstreamFailed(service.name, backend.url, err.kind);
      if (err.notSent && !backend.checked) backend.recordFailure({ ...service.spec.passiveHealthCheck, maxFailures: 1 }, err.message);
      else if (err.notSent) backend.markDown(err.message);
      else backend.recordFailure(service.spec.passiveHealthCheck, err.message);
      service.breaker?.record(false);
      const again =
        replayable &&
        attempt < service.spec.retry.attempts &&
        !ex.res.headersSent &&
        !ex.res.destroyed &&
        (err.notSent || this.isIdempotent(ex.method, ex.path)) &&
        service.retryBudget.tryRetry();
      if (!again) return this.fail(ex, route, err);
      (tried ??= new Set()).add(backend);
      ex.retries++;
      this.metrics.retried(service.name);
      this.guarded(ex, route, () => this.attempt(ex, route, headers, body, replayable, attempt + 1, tried, err));
    });
  }

  /** Runs a step called back from I/O: whatever it throws becomes this request's error answer. */
  private guarded(ex: Exchange, route: Route, step: () => void): void {
    try {
      step();
    } catch (err) {
      this.fail(ex, route, err);
    }
  }

  private fail(ex: Exchange, route: Route | undefined, err: unknown): void {
    const e = err instanceof PhoenixError ? err : new UpstreamError('reset', false, errorMessage(err));
    ex.status = e.status;
    ex.error = e.message;
    if (!ex.res.headersSent && !ex.res.destroyed) this.options.renderError(ex, e);
    else ex.res.destroy();
    this.complete(ex, route);
  }

  private complete(ex: Exchange, route: Route | undefined): void {
    ex.finish();
    this.metrics.observe(ex, route);
    if (this.options.accessLog !== false) logAccess(this.options.logger, ex);
  }

  /** The read-only view: routers, services, backends with health, middlewares, disabled items. */
  status(): ProxyStatus {
    return proxyStatus(this.table, this.generation, this.pool.drainingCount());
  }

  async close(): Promise<void> {
    this.health.close();
    this.table.close();
    await this.pool.close();
  }
}

function noBackend(service: ServiceRuntime, previous?: Error): UnavailableError {
  return new UnavailableError('PROXY_NO_BACKEND', `Service Unavailable: no healthy backend for service ${service.name}${previous ? `; last failure: ${previous.message}` : ''}`);
}
