import { errorMessage } from '../core/errors.js';
import { once, type RoleHandle } from '../core/lifecycle.js';
import type { Logger } from '../core/log.js';
import { createMtlsAgent, IdentityPolicy, type TlsIdentity } from '../core/tls/index.js';
import type { AgentConfig } from './config.js';
import { hostFacts, phoenixVersion } from './host.js';
import { reconcile } from './reconcile.js';
import { HubClient } from './report/hub-client.js';
import { SyncLoop } from './report/sync-loop.js';
import { ProcessRuntime } from './runtime/process.js';

export interface AgentDeps {
  /** The agent's certificate identity (`spiffe://<td>/agent/<name>`); startAgent keeps it renewed. */
  identity: TlsIdentity;
  logger: Logger;
}

/**
 * The host agent: connects out to the hub over mTLS (no inbound port), syncs every interval and
 * whenever a replica changes state, and runs the replicas assigned to it. If the hub is unreachable
 * the replicas keep running and the agent retries.
 */
export async function startAgent(config: AgentConfig, deps: AgentDeps): Promise<RoleHandle> {
  const { identity, logger } = deps;
  const ac = new AbortController();
  const dispatcher = createMtlsAgent(identity, {
    serverPolicy: IdentityPolicy.roles(config.trustDomain, 'hub'),
    agent: { keepAliveTimeout: Math.max(4000, config.syncInterval * 4), connectTimeout: 10_000 },
  });
  const hub = new HubClient(config.hubUrl, dispatcher, Math.max(5000, config.syncInterval * 5));
  const runtime = new ProcessRuntime({
    agentDataDir: config.dataDir,
    trustDomain: config.trustDomain,
    advertiseAddress: config.advertiseAddress,
    ca: config.ca,
    phoenixBin: config.runtime.phoenixBin,
    stopGraceMs: config.runtime.stopGrace,
    readyTimeoutMs: config.runtime.readyTimeout,
    token: (id) => hub.token(id, ac.signal),
    logger,
  });
  const self = { name: config.name, version: phoenixVersion(), advertiseAddress: config.advertiseAddress, syncIntervalMs: config.syncInterval, host: hostFacts() };
  const loop = new SyncLoop(
    config.syncInterval,
    async (signal) => {
      const desired = await hub.sync({ agent: self, instances: runtime.report() }, signal);
      const changes = reconcile(runtime, desired, ProcessRuntime.RUNTIMES, logger);
      if (changes.started.length + changes.stopped.length > 0) logger.info(changes, 'reconciled instances with the hub');
    },
    logger,
  );
  const onChange = () => loop.poke();
  runtime.on('change', onChange);
  const running = loop.run(ac.signal);
  logger.info({ hub: config.hubUrl, identity: identity.id.uri }, 'agent started');

  const close = once(async () => {
    ac.abort();
    await running;
    runtime.off('change', onChange);
    try {
      await runtime.close();
    } finally {
      await dispatcher.close().catch((err: unknown) => logger.debug({ err: errorMessage(err) }, 'closing hub connections'));
    }
    logger.info('agent stopped');
  });
  return { endpoints: {}, close };
}
