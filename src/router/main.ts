import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { closeServer } from '../core/http.js';
import { once, type RoleHandle } from '../core/lifecycle.js';
import { createMtlsAgent, guardTlsServer, IdentityPolicy, peerIdentity, serverTlsOptions, type TlsIdentity } from '../core/tls/index.js';
import { logAccess } from '../proxy/access-log.js';
import { renderQdrantStyleError } from '../proxy/error-response.js';
import { isQdrantRead } from '../proxy/qdrant-operations.js';
import { requestIdOf } from '../proxy/request-id.js';
import { ReverseProxy } from '../proxy/reverse-proxy.js';
import type { RouterConfig } from './config.js';
import { pollHub } from './hub-provider.js';

export interface RouterHandle extends RoleHandle {
  /** Routes, services and backends with their health (the read-only status view). */
  status: ReverseProxy['status'];
}

/**
 * The router (Traefik's role): an mTLS-only listener admitting gateway identities, routing by Host
 * (with a default route) to the services the hub's discovery feed lists, round-robin over healthy
 * replicas, over mTLS that checks each replica's own identity.
 */
export async function startRouter(config: RouterConfig, deps: { identity: TlsIdentity; logger: Logger }): Promise<RouterHandle> {
  const { identity, logger } = deps;
  const lifetime = new AbortController();
  const proxy = new ReverseProxy({
    logger,
    signal: lifetime.signal,
    headersTimeoutMs: config.upstreamTimeout,
    renderError: renderQdrantStyleError,
    isRetryable: isQdrantRead,
    createDispatcher: (server) => createMtlsAgent(identity, { serverPolicy: IdentityPolicy.fromPattern(server.identity), agent: { keepAliveTimeout: 30_000, connectTimeout: 5000 } }),
  });
  const hub = createMtlsAgent(identity, { serverPolicy: IdentityPolicy.roles(config.trustDomain, 'hub') });
  const polling = pollHub({ hubUrl: config.hubUrl, dispatcher: hub, intervalMs: config.discoveryInterval, signal: lifetime.signal, logger, apply: (c) => proxy.apply(c) });

  const server: Server = createServer({ ...serverTlsOptions(identity, 'required'), keepAliveTimeout: 65_000 }, (req, res) => {
    const startedAt = process.hrtime.bigint();
    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);
    const client = peerIdentity(req.socket as TLSSocket)?.uri ?? null;
    void proxy.handle(req, res, { requestId }).then((record) => logAccess(logger, req, requestId, startedAt, { ...record, client }));
  });
  const unguard = guardTlsServer(server, { identity, policy: IdentityPolicy.roles(config.trustDomain, ...config.allowedClients), logger });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.listen.port, config.listen.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  logger.info({ port, allowed: config.allowedClients }, 'router listening (mTLS)');

  return {
    endpoints: { api: `https://${config.listen.host}:${port}` },
    status: () => proxy.status(),
    close: once(async () => {
      lifetime.abort();
      unguard();
      await closeServer(server);
      await polling;
      await proxy.close();
      await hub.close();
    }),
  };
}
