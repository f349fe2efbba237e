import { join } from 'node:path';
import type { Server as TlsServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { once, type RoleHandle } from '../core/lifecycle.js';
import { guardTlsServer, IdentityPolicy, serverTlsOptions, type TlsIdentity } from '../core/tls/index.js';
import { buildVectorApp } from './api/app.js';
import type { VectorConfig } from './config.js';
import { Engine } from './engine/engine.js';
import { configureSearchThreads } from './index/search-threads.js';
import { apiReplication } from './replication/api-hooks.js';
import { Replica } from './replication/replica.js';
import { SnapshotStore } from './snapshots/snapshot-store.js';
import { Snapshots } from './snapshots/snapshots.js';

export { buildVectorApp, type VectorAppOptions } from './api/app.js';
export { Engine } from './engine/engine.js';
export { vectorConfigSchema, type VectorConfig } from './config.js';

/** How long `close()` waits for in-flight requests before closing their connections. */
const CLOSE_GRACE_MS = 3000;

export interface VectorDeps {
  identity: TlsIdentity;
  logger: Logger;
}

/**
 * Composition root of the `vector` role: open the engine on the data directory, open its place in
 * a replica set (standalone until the hub assigns one), build the Qdrant-compatible API with the
 * replication seam, and serve it over mTLS to the router, fellow replicas, and the local agent
 * (replication admin path only). `close()` stops accepting, drains in-flight requests, stops
 * replicating, then closes storage; calling it twice is safe.
 */
export async function startVector(config: VectorConfig, deps: VectorDeps): Promise<RoleHandle> {
  const logger = deps.logger;
  configureSearchThreads({ replicas: config.searchReplica.threads, minVectors: config.searchReplica.minVectors });
  const engine = Engine.open(config.dataDir, logger);
  const snapshotsDir = join(config.dataDir, 'snapshots');
  let snapshots: Snapshots | undefined;
  let replica: Replica;
  try {
    replica = await Replica.open({
      id: config.name,
      dataDir: config.dataDir,
      managed: config.replication.mode === 'managed',
      engine,
      identity: deps.identity,
      localAddress: config.listen.host,
      snapshots: () => (snapshots ??= new Snapshots(engine, new SnapshotStore(snapshotsDir))),
      logger,
    });
  } catch (err) {
    engine.close();
    throw err;
  }
  const app = buildVectorApp(engine, {
    logger,
    bodyLimitBytes: config.maxRequestSizeMb * 1024 * 1024,
    https: serverTlsOptions(deps.identity, 'required'),
    snapshotsDir,
    replication: apiReplication(replica, config.trustDomain),
  });
  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader('x-phoenix-served-by')) reply.header('x-phoenix-served-by', config.name);
  });
  const unguard = guardTlsServer(app.server as unknown as TlsServer, {
    identity: deps.identity,
    policy: IdentityPolicy.roles(config.trustDomain, 'router', 'vector', 'agent'),
    logger,
  });
  try {
    await app.listen({ host: config.listen.host, port: config.listen.port });
  } catch (err) {
    unguard();
    await app.close().catch(() => undefined);
    await replica.close();
    engine.close();
    throw err;
  }
  const { port } = app.server.address() as AddressInfo;
  const host = config.listen.host.includes(':') ? `[${config.listen.host}]` : config.listen.host;
  const api = `https://${host}:${port}`;
  logger.info({ api, replication: replica.status().role }, 'vector API listening (mTLS)');
  return {
    endpoints: { api },
    close: once(async () => {
      unguard();
      try {
        await replica.close();
        // In-flight requests get a grace to finish; connections still open after it (keep-alive
        // peers Node does not count as idle) are closed rather than waited for.
        const grace = setTimeout(() => app.server.closeAllConnections(), CLOSE_GRACE_MS);
        try {
          await app.close();
        } finally {
          clearTimeout(grace);
        }
      } finally {
        engine.close();
        logger.info('vector role closed');
      }
    }),
  };
}
