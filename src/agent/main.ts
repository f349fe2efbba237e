import { readFileSync } from 'node:fs';
import { errorMessage } from '../core/errors.js';
import { every, once, type RoleHandle } from '../core/lifecycle.js';
import type { Logger } from '../core/log.js';
import { createMtlsAgent, IdentityPolicy, type TlsIdentity } from '../core/tls/index.js';
import { CommandLoop } from './commands/command-loop.js';
import type { AgentConfig } from './config.js';
import { hostFacts, phoenixVersion } from './host.js';
import { rotateIfLarge } from './logs/rotation.js';
import { reconcile } from './reconcile.js';
import { HubClient } from './report/hub-client.js';
import { SyncLoop } from './report/sync-loop.js';
import { ReplicationRelay } from './replication/relay.js';
import { InstanceManager } from './runtime/manager.js';

export interface AgentDeps {
  /** The agent's certificate identity (`spiffe://<td>/agent/<name>`); startAgent keeps it renewed. */
  identity: TlsIdentity;
  logger: Logger;
  /** Overrides the version the agent reports (tests). */
  version?: string;
}

/**
 * The host agent: connects out to the hub over mTLS (no inbound port), syncs every interval and
 * whenever an instance changes state, runs the instances assigned to it (embedded replicas,
 * processes, watched external endpoints), answers log-tail requests over a long poll, and reads
 * its instances' health and metrics. If the hub is unreachable the instances keep running and the
 * agent retries; after an agent restart it finds its instances again on disk.
 */
export async function startAgent(config: AgentConfig, deps: AgentDeps): Promise<RoleHandle> {
  const { identity, logger } = deps;
  const ac = new AbortController();
  const dispatcher = createMtlsAgent(identity, {
    serverPolicy: IdentityPolicy.roles(config.trustDomain, 'hub'),
    agent: { keepAliveTimeout: Math.max(4000, config.syncInterval * 4), connectTimeout: 10_000 },
  });
  const hub = new HubClient(config.hubUrl, dispatcher, Math.max(5000, config.syncInterval * 5));
  const instances = new InstanceManager({
    agentDataDir: config.dataDir,
    trustDomain: config.trustDomain,
    advertiseAddress: config.advertiseAddress,
    ca: config.ca,
    rootPem: readFileSync(config.ca.rootFile, 'utf8'),
    phoenixBin: config.runtime.phoenixBin,
    stopGraceMs: config.runtime.stopGrace,
    readyTimeoutMs: config.runtime.readyTimeout,
    metricsIntervalMs: config.metricsInterval,
    token: (id) => hub.token(id, ac.signal),
    logger,
  });
  const version = deps.version ?? phoenixVersion();
  const relay = new ReplicationRelay({ identity, logger, onChange: () => loop.poke() });
  const found = instances.resumeFound();
  if (found.length > 0) logger.info({ instances: found }, 'found instances on disk; running them until the hub says otherwise');
  const loop = new SyncLoop(
    config.syncInterval,
    async (signal) => {
      const self = { name: config.name, version, advertiseAddress: config.advertiseAddress, syncIntervalMs: config.syncInterval, host: hostFacts(config.dataDir) };
      const answer = await hub.sync({ agent: self, instances: relay.decorate(instances.report()) }, signal);
      const changes = reconcile(instances, answer, InstanceManager.RUNTIMES, logger);
      void relay.relay(answer, instances.report());
      if (changes.started.length + changes.replaced.length + changes.stopped.length > 0) logger.info(changes, 'reconciled instances with the hub');
    },
    logger,
  );
  const onChange = () => loop.poke();
  instances.on('change', onChange);
  const running = [
    loop.run(ac.signal),
    instances.probeLoop(ac.signal),
    new CommandLoop(hub, (id) => instances.logFileOf(id), logger).run(ac.signal),
    every(config.logs.checkInterval, ac.signal, () => {
      for (const r of instances.report()) if (rotateIfLarge(instances.logFileOf(r.id), config.logs.maxBytes, config.logs.keep)) logger.info({ instance: r.id }, 'instance log rotated');
    }, (err) => logger.warn({ err: errorMessage(err) }, 'log rotation failed')),
  ];
  logger.info({ hub: config.hubUrl, identity: identity.id.uri, version }, 'agent started');

  const close = once(async () => {
    ac.abort();
    await Promise.allSettled(running);
    instances.off('change', onChange);
    try {
      await instances.close();
    } finally {
      await dispatcher.close().catch((err: unknown) => logger.debug({ err: errorMessage(err) }, 'closing hub connections'));
      await relay.close();
    }
    logger.info('agent stopped');
  });
  return { endpoints: {}, close };
}
