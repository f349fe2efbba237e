import type { Server as TlsServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { once, type RoleHandle } from '../core/lifecycle.js';
import { guardTlsServer, IdentityPolicy, serverTlsOptions, type TlsIdentity } from '../core/tls/index.js';
import { buildVectorApp } from './api/app.js';
import type { VectorConfig } from './config.js';
import { Engine } from './engine/engine.js';

export { buildVectorApp, type VectorAppOptions } from './api/app.js';
export { Engine } from './engine/engine.js';
export { vectorConfigSchema, type VectorConfig } from './config.js';

export interface VectorDeps {
  identity: TlsIdentity;
  logger: Logger;
}

/**
 * Composition root of the `vector` role: open the engine on the data directory, build the
 * Qdrant-compatible API, serve it over mTLS to the router and fellow replicas only.
 * `close()` stops accepting, drains in-flight requests, then closes storage; calling it twice is safe.
 */
export async function startVector(config: VectorConfig, deps: VectorDeps): Promise<RoleHandle> {
  const logger = deps.logger;
  const engine = Engine.open(config.dataDir, logger);
  const app = buildVectorApp(engine, {
    logger,
    bodyLimitBytes: config.maxRequestSizeMb * 1024 * 1024,
    https: serverTlsOptions(deps.identity, 'required'),
  });
  const unguard = guardTlsServer(app.server as unknown as TlsServer, {
    identity: deps.identity,
    policy: IdentityPolicy.roles(config.trustDomain, 'router', 'vector'),
    logger,
  });
  try {
    await app.listen({ host: config.listen.host, port: config.listen.port });
  } catch (err) {
    unguard();
    await app.close().catch(() => undefined);
    engine.close();
    throw err;
  }
  const { port } = app.server.address() as AddressInfo;
  const host = config.listen.host.includes(':') ? `[${config.listen.host}]` : config.listen.host;
  const api = `https://${host}:${port}`;
  logger.info({ api }, 'vector API listening (mTLS)');
  return {
    endpoints: { api },
    close: once(async () => {
      unguard();
      try {
        await app.close();
      } finally {
        engine.close();
        logger.info('vector role closed');
      }
    }),
  };
}
