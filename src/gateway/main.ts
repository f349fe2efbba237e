import { createServer, type Server } from 'node:https';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { PhoenixError } from '../core/errors.js';
import { closeServer } from '../core/http.js';
import { once, type RoleHandle } from '../core/lifecycle.js';
import { createMtlsAgent, guardTlsServer, IdentityPolicy, serverTlsOptions, type TlsIdentity } from '../core/tls/index.js';
import { logAccess } from '../proxy/access-log.js';
import { renderQdrantStyleError } from '../proxy/error-response.js';
import { requestIdOf } from '../proxy/request-id.js';
import { ReverseProxy } from '../proxy/reverse-proxy.js';
import { ApiKeyAuthenticator } from './api-key.js';
import type { GatewayConfig } from './config.js';

/** Credentials checked here are not passed further in. */
const CREDENTIAL_HEADERS = ['api-key', 'authorization'];

/**
 * The gateway (nginx's role): public HTTPS with a CA-issued certificate, Qdrant-compatible API-key
 * authentication, then forwarding over mTLS to the router (whose identity is checked). Liveness
 * (`/healthz`, `/livez`) is answered here; everything else, `/readyz` included, goes through.
 */
export async function startGateway(config: GatewayConfig, deps: { identity: TlsIdentity; logger: Logger }): Promise<RoleHandle> {
  const { identity, logger } = deps;
  const lifetime = new AbortController();
  const auth = new ApiKeyAuthenticator(config.apiKey);
  const proxy = new ReverseProxy({
    logger,
    signal: lifetime.signal,
    headersTimeoutMs: config.upstreamTimeout,
    renderError: renderQdrantStyleError,
    createDispatcher: (server) => createMtlsAgent(identity, { serverPolicy: IdentityPolicy.fromPattern(server.identity), agent: { keepAliveTimeout: 30_000, connectTimeout: 5000 } }),
  });
  // Static configuration: one route to the router.
  proxy.apply({
    routers: { 'all@static': { rule: 'PathPrefix(`/`)', service: 'router@static' } },
    services: { 'router@static': { servers: [{ url: config.routerUrl, identity: `spiffe://${config.trustDomain}/router/*` }] } },
  });

  const server: Server = createServer({ ...serverTlsOptions(identity, 'none', ['http/1.1']), keepAliveTimeout: 65_000 }, (req, res) => {
    const startedAt = process.hrtime.bigint();
    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);
    const path = (req.url ?? '/').split('?')[0] as string;
    if (req.method === 'GET' && (path === '/healthz' || path === '/livez')) {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('healthz check passed');
      return;
    }
    try {
      auth.check(path, req.headers);
    } catch (err) {
      const e = err as PhoenixError;
      plainText(res, e.status, e.message);
      logAccess(logger, req, requestId, startedAt, { route: null, service: null, backend: null, status: e.status, error: e.code });
      req.resume();
      return;
    }
    void proxy
      .handle(req, res, { requestId, upstreamHost: config.serviceHost, dropHeaders: CREDENTIAL_HEADERS })
      .then((record) => logAccess(logger, req, requestId, startedAt, record));
  });
  const unguard = guardTlsServer(server, { identity, logger });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.listen.port, config.listen.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  logger.info({ port, router: config.routerUrl }, 'gateway listening (HTTPS)');

  return {
    endpoints: { api: `https://localhost:${port}` },
    close: once(async () => {
      lifetime.abort();
      unguard();
      await closeServer(server);
      await proxy.close();
    }),
  };
}

/** Qdrant answers authentication failures in plain text. */
function plainText(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(message) });
  res.end(message);
}
