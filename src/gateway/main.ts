import type { Logger } from 'pino';
import type { PhoenixError } from '../core/errors.js';
import { once, type RoleHandle } from '../core/lifecycle.js';
import type { TlsIdentity } from '../core/tls/index.js';
import { startEntrypoint } from '../proxy/entrypoint.js';
import { renderPlainTextError, renderQdrantStyleError } from '../proxy/error-response.js';
import type { Exchange, ProxyRequest, ProxyResponse } from '../proxy/exchange.js';
import { bodyLimit } from '../proxy/middleware/body-limit/index.js';
import { inFlightLimit } from '../proxy/middleware/in-flight/index.js';
import { ipAllowList } from '../proxy/middleware/ip-allow-list/index.js';
import type { Middleware, MiddlewareContext } from '../proxy/middleware/middleware.js';
import { rateLimit } from '../proxy/middleware/rate-limit/index.js';
import { securityHeaders } from '../proxy/middleware/security-headers/index.js';
import { timeouts } from '../proxy/middleware/timeouts/index.js';
import { isQdrantRead } from '../proxy/qdrant-operations.js';
import { ReverseProxy } from '../proxy/reverse-proxy.js';
import type { ProxyStatus } from '../proxy/status.js';
import { startStatusListener } from '../proxy/status-listener.js';
import { upstreamPoolFor } from '../proxy/upstream/pool.js';
import { qdrantAuth } from './auth/auth-middleware.js';
import { QdrantAuthenticator } from './auth/authenticator.js';
import type { GatewayConfig } from './config.js';

/** Credentials checked here are not passed further in. */
const CREDENTIAL_HEADERS = ['api-key', 'authorization'];

export interface GatewayHandle extends RoleHandle {
  status(): ProxyStatus;
}

/**
 * The gateway (nginx's role): public HTTPS (HTTP/2 or HTTP/1.1) with a CA-issued certificate;
 * security headers, allow-list, Qdrant-compatible authentication (API keys, read-only key, JWT
 * RBAC), rate and concurrency limits, body limit; then forwarding over mTLS to the router (whose
 * identity is checked). Liveness (`/healthz`, `/livez`) is answered here; everything else,
 * `/readyz` included, goes through.
 */
export async function startGateway(config: GatewayConfig, deps: { identity: TlsIdentity; logger: Logger }): Promise<GatewayHandle> {
  const { identity, logger } = deps;
  const lifetime = new AbortController();
  const authenticator = new QdrantAuthenticator({ apiKey: config.apiKey, readOnlyApiKey: config.readOnlyApiKey, jwtRbac: config.jwtRbac });
  const entry: Middleware[] = [];
  // The proxy is built after its entry middlewares; their rejections reach its metrics through this.
  const built: { proxy?: ReverseProxy } = {};
  const ctx = (name: string): MiddlewareContext => ({ name, logger, rejected: (t, r) => built.proxy?.metrics.rejected(t, r) });
  entry.push(securityHeaders.create(config.securityHeaders, ctx('securityHeaders@gateway')));
  if (config.limits.ipAllowList) entry.push(ipAllowList.create({ sourceRange: config.limits.ipAllowList }, ctx('ipAllowList@gateway')));
  entry.push(qdrantAuth(authenticator).create({}, ctx('qdrantAuth@gateway')));
  if (config.limits.rateLimit) entry.push(rateLimit.create(config.limits.rateLimit, ctx('rateLimit@gateway')));
  if (config.limits.inFlight) entry.push(inFlightLimit.create(config.limits.inFlight, ctx('inFlight@gateway')));
  entry.push(bodyLimit.create({ maxBytes: config.limits.body }, ctx('bodyLimit@gateway')));
  entry.push(timeouts.create({ body: config.timeouts.body }, ctx('timeouts@gateway')));

  const proxy = new ReverseProxy({
    role: 'gateway',
    logger,
    signal: lifetime.signal,
    renderError,
    isIdempotent: isQdrantRead,
    entryMiddlewares: entry,
    ...(config.serviceHost ? { upstreamHost: config.serviceHost } : {}),
    dropHeaders: CREDENTIAL_HEADERS,
    accessLog: config.accessLog,
    createPool: (server) => upstreamPoolFor(server, identity),
  });
  built.proxy = proxy;
  // Static configuration: everything to the router.
  proxy.apply({
    config: {
      routers: { 'all@static': { rule: 'PathPrefix(`/`)', service: 'router@static', middlewares: [] } },
      services: {
        'router@static': {
          strategy: 'wrr',
          servers: [{ url: config.routerUrl, identity: `spiffe://${config.trustDomain}/router/*`, weight: 1 }],
          passiveHealthCheck: { maxFailures: 3, ejectFor: 1000 },
          retry: { attempts: 2, budgetRatio: 0.2, minPerSecond: 10 },
          responseTimeout: config.upstreamTimeout,
          drainTimeout: 30_000,
        },
      },
      middlewares: {},
    },
    errors: [],
  });

  const entrypoint = await startEntrypoint({
    ...config.listen,
    identity,
    clientCert: 'none',
    http2: config.http2,
    timeouts: config.timeouts,
    logger,
    handler: (req: ProxyRequest, res: ProxyResponse) => {
      if ((req.url === '/healthz' || req.url === '/livez') && req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('healthz check passed');
        return;
      }
      proxy.handle(req, res);
    },
  });
  const statusApi = config.status ? await startStatusListener(proxy, config.status) : undefined;
  logger.info({ port: entrypoint.port, router: config.routerUrl, http2: config.http2, status: statusApi?.url }, 'gateway listening (HTTPS)');

  return {
    endpoints: { api: `https://localhost:${entrypoint.port}`, ...(statusApi ? { status: statusApi.url } : {}) },
    status: () => proxy.status(),
    close: once(async () => {
      lifetime.abort();
      await statusApi?.close();
      await entrypoint.close();
      await proxy.close();
      for (const m of entry) m.close?.();
    }),
  };
}

/** Qdrant answers a missing or wrong key in plain text, everything else in its JSON envelope. */
function renderError(ex: Exchange, err: PhoenixError): void {
  if (err.code === 'GATEWAY_API_KEY_MISSING' || err.code === 'GATEWAY_API_KEY_INVALID') renderPlainTextError(ex, err);
  else renderQdrantStyleError(ex, err);
}
