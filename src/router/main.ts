import type { Logger } from 'pino';
import { once, type RoleHandle } from '../core/lifecycle.js';
import { createMtlsAgent, IdentityPolicy, type TlsIdentity } from '../core/tls/index.js';
import { ConfigAggregator } from '../proxy/aggregator.js';
import { startEntrypoint } from '../proxy/entrypoint.js';
import { renderQdrantStyleError } from '../proxy/error-response.js';
import { FileProvider } from '../proxy/providers/file-provider.js';
import type { Provider } from '../proxy/providers/provider.js';
import { runProviders } from '../proxy/providers/run-providers.js';
import { StaticProvider } from '../proxy/providers/static-provider.js';
import { isQdrantRead } from '../proxy/qdrant-operations.js';
import { ReverseProxy } from '../proxy/reverse-proxy.js';
import type { ProxyStatus } from '../proxy/status.js';
import { startStatusListener } from '../proxy/status-listener.js';
import { upstreamPoolFor } from '../proxy/upstream/pool.js';
import type { RouterConfig } from './config.js';
import { HubProvider } from './hub-provider.js';

export interface RouterHandle extends RoleHandle {
  /** Routers, services and backends with their health (the read-only status view). */
  status(): ProxyStatus;
}

/**
 * The router (Traefik's role): an mTLS-only listener admitting gateway identities; configuration
 * from providers (the hub's discovery feed, a watched file, static items) through the aggregator;
 * routing by rule to services balanced over healthy replicas, over mTLS that checks each replica's
 * own identity; Qdrant reads retried on another replica when one fails under them.
 */
export async function startRouter(config: RouterConfig, deps: { identity: TlsIdentity; logger: Logger }): Promise<RouterHandle> {
  const { identity, logger } = deps;
  const lifetime = new AbortController();
  const proxy = new ReverseProxy({
    role: 'router',
    logger,
    signal: lifetime.signal,
    renderError: renderQdrantStyleError,
    isIdempotent: isQdrantRead,
    accessLog: config.accessLog,
    createPool: (server) => upstreamPoolFor(server, identity),
  });
  const aggregator = new ConfigAggregator({ logger, throttleMs: config.throttle, apply: (c) => proxy.apply(c) });
  const hub = config.hubUrl ? createMtlsAgent(identity, { serverPolicy: IdentityPolicy.roles(config.trustDomain, 'hub') }) : undefined;
  const providers: Provider[] = [];
  if (config.providers.static) providers.push(new StaticProvider(config.providers.static));
  if (config.providers.file) providers.push(new FileProvider(config.providers.file.path, config.providers.file.pollInterval));
  if (config.hubUrl && hub) providers.push(new HubProvider({ hubUrl: config.hubUrl, dispatcher: hub, intervalMs: config.discoveryInterval, responseTimeoutMs: config.upstreamTimeout }));
  const providing = runProviders(providers, aggregator, lifetime.signal, logger);
  aggregator.flush();

  const entrypoint = await startEntrypoint({
    ...config.listen,
    identity,
    clientCert: 'required',
    policy: IdentityPolicy.roles(config.trustDomain, ...config.allowedClients),
    http2: false,
    timeouts: config.timeouts,
    logger,
    handler: (req, res) => proxy.handle(req, res),
  });
  const statusApi = config.status ? await startStatusListener(proxy, config.status) : undefined;
  logger.info({ port: entrypoint.port, allowed: config.allowedClients, status: statusApi?.url }, 'router listening (mTLS)');

  return {
    endpoints: { api: `https://${config.listen.host}:${entrypoint.port}`, ...(statusApi ? { status: statusApi.url } : {}) },
    status: () => proxy.status(),
    close: once(async () => {
      lifetime.abort();
      aggregator.close();
      await statusApi?.close();
      await entrypoint.close();
      await providing;
      await proxy.close();
      await hub?.close();
    }),
  };
}
