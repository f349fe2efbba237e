import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Server as TlsServer, TLSSocket } from 'node:tls';
import { loadProvisionerKey, type ProvisionerKey } from '../core/ca-client/index.js';
import { ConfigError, errorMessage } from '../core/errors.js';
import { every, once, type RoleHandle } from '../core/lifecycle.js';
import type { Logger } from '../core/log.js';
import { createMtlsAgent, guardTlsServer, IdentityPolicy, serverTlsOptions, type TlsIdentity } from '../core/tls/index.js';
import { AgentChannel } from './agents/channel.js';
import { Enrollment } from './agents/enrollment.js';
import { LogSessions } from './agents/log-sessions.js';
import { createHubApp } from './api/app.js';
import { AuditLog } from './audit.js';
import { Accounts } from './auth/accounts.js';
import { CsrfGuard } from './auth/csrf.js';
import { LoginThrottle } from './auth/throttle.js';
import type { HubConfig } from './config.js';
import { Deployer } from './deploy/deployer.js';
import { StackOperations } from './deploy/operations.js';
import { Fleet } from './fleet.js';
import { PeerMonitor } from './health/peers.js';
import { RouterSightings } from './health/routers.js';
import { createHubMetrics } from './metrics.js';
import { ServiceMetrics } from './monitoring/service-metrics.js';
import { CaAdmin } from './certs/ca-admin.js';
import { Certificates } from './certs/certificates.js';
import { Revocations } from './certs/revocations.js';
import { CaTokens } from './replica-tokens.js';
import { startReplicationController } from './replication/hub-wiring.js';
import { StackCatalog } from './stacks/catalog.js';
import { DEFAULT_STACK_YAML } from './stacks/default.js';
import { AgentStore } from './store/agents.js';
import { ApiTokenStore } from './store/api-tokens.js';
import { AuditStore } from './store/audit.js';
import { openHubDatabase } from './store/db.js';
import { EnrollmentStore } from './store/enrollment.js';
import { InstanceStore } from './store/instances.js';
import { RevocationStore } from './store/revocations.js';
import { RolloutStore } from './store/rollouts.js';
import { SessionStore } from './store/sessions.js';
import { SettingsStore } from './store/settings.js';
import { SlotStore } from './store/slots.js';
import { StackStore } from './store/stacks.js';
import { UserStore } from './store/users.js';
import { phoenixVersion } from './version.js';

export interface HubDeps {
  /** The hub's certificate identity (`spiffe://<td>/hub/<name>`); startHub keeps it renewed. */
  identity: TlsIdentity;
  logger: Logger;
  /** Overrides the version the hub reports and compares agents with (tests). */
  version?: string;
}

/**
 * The management hub: console and API on one HTTPS listener, state in SQLite under `dataDir`.
 * Endpoints: `{ api: 'https://localhost:<port>' }`.
 */
export async function startHub(config: HubConfig, deps: HubDeps): Promise<RoleHandle> {
  const { identity, logger } = deps;
  const provisioner = readProvisioner(config.ca.provisionerKeyFile);
  const initialStack = config.stackFile === undefined ? DEFAULT_STACK_YAML : readStackFile(config.stackFile);
  const db = openHubDatabase(join(config.dataDir, 'hub.db'));
  const ac = new AbortController();
  const caDispatcher = createMtlsAgent(identity, { serverPolicy: IdentityPolicy.roles(config.trustDomain, 'ca'), agent: { connectTimeout: 5000 } });
  try {
    const version = deps.version ?? phoenixVersion();
    const audit = new AuditLog(new AuditStore(db), logger.child({ component: 'audit' }));
    const stacks = new StackCatalog(new StackStore(db));
    seedStack(stacks, initialStack, config.stackFile);
    const accounts = new Accounts(
      new UserStore(db),
      new SessionStore(db),
      new ApiTokenStore(db),
      new LoginThrottle({ maxFailures: config.login.maxFailures, lockoutMs: config.login.lockout, maxLockoutMs: config.login.maxLockout }),
      config.sessionTtl,
    );
    await accounts.ensureAdmin(config.adminPassword);
    const revocations = new Revocations(new RevocationStore(db));
    const rollouts = new RolloutStore(db);
    const fleetRef: { current?: Fleet } = {};
    const deployer = new Deployer({ catalog: stacks, slots: new SlotStore(db), rollouts, audit, logger, health: (id) => fleetRef.current?.health(id) });
    const fleet = new Fleet({
      agents: new AgentStore(db),
      instances: new InstanceStore(db),
      deployer,
      revocations,
      trustDomain: config.trustDomain,
      liveness: { agentSyncInterval: config.health.agentSyncInterval, missedSyncs: config.health.missedSyncs },
      reassignAfterMs: config.health.reassignAfter,
    });
    fleetRef.current = fleet;
    for (const s of stacks.all()) deployer.apply(s.version.name, { actor: 'hub', kind: 'update' });
    fleet.reschedule();
    const tokens = new CaTokens(provisioner, config.ca.url);
    const enrollTokens = config.ca.enrollKeyFile === undefined ? tokens : new CaTokens(readProvisioner(config.ca.enrollKeyFile), config.ca.url);
    const channel = new AgentChannel();
    const logs = new LogSessions(channel);
    const certificates = new Certificates(new CaAdmin(config.ca.url, provisioner, caDispatcher, identity.id.uri), revocations, identity, logger);
    const peers = new PeerMonitor(config.peers, identity.rootPem, { intervalMs: config.health.peerInterval, timeoutMs: config.health.peerTimeout, logger });
    const routers = new RouterSightings(config.health.routerStaleAfter);
    const services = {
      config,
      logger,
      version,
      rootPem: identity.rootPem,
      accounts,
      csrf: new CsrfGuard(new SettingsStore(db).secret('csrf-secret')),
      audit,
      stacks,
      operations: new StackOperations(stacks, deployer, fleet),
      deployer,
      rollouts,
      fleet,
      peers,
      routers,
      tokens,
      enrollment: new Enrollment(new EnrollmentStore(db), enrollTokens, fleet, config.trustDomain),
      channel,
      logs,
      metrics: new ServiceMetrics(),
      certificates,
      revocations,
      replication: startReplicationController({ deployer, fleet, stacks, dataDir: config.dataDir, logger, signal: ac.signal }),
      signal: ac.signal,
    };
    const app = createHubApp(services, serverTlsOptions(identity, 'optional'), createHubMetrics(fleet), config.consoleDir);
    await app.listen({ host: config.listen.host, port: config.listen.port });
    const server = app.server as unknown as TlsServer;
    const unguard = guardTlsServer(server, { identity, logger });
    server.on('secureConnection', (socket: TLSSocket) => revocations.track(socket));
    peers.start(ac.signal);
    const warn = (what: string) => (err: unknown) => logger.warn({ err: errorMessage(err) }, what);
    void every(60_000, ac.signal, () => void accounts.purgeExpiredSessions(), warn('session purge failed'));
    void every(config.health.deployTick, ac.signal, () => deployer.tick(), warn('deployment tick failed'));
    void every(config.crlInterval, ac.signal, async () => void (await certificates.syncCrl()), warn('cannot read the CA’s CRL'));

    const port = (app.server.address() as AddressInfo).port;
    logger.info({ port, host: config.listen.host, identity: identity.id.uri, version }, 'hub listening');
    const close = once(async () => {
      ac.abort();
      channel.close();
      logs.closeAll();
      unguard();
      try {
        await app.close();
        await peers.close();
        await caDispatcher.close();
      } finally {
        db.close();
      }
      logger.info('hub stopped');
    });
    return { endpoints: { api: `https://localhost:${port}` }, close };
  } catch (err) {
    ac.abort();
    await caDispatcher.close();
    db.close();
    throw err;
  }
}

function readProvisioner(file: string): ProvisionerKey {
  try {
    return loadProvisionerKey(file);
  } catch (err) {
    throw new ConfigError(`hub: cannot load the provisioner key ${file}: ${errorMessage(err)}`, { cause: err });
  }
}

function readStackFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`hub: cannot read stackFile ${file}: ${errorMessage(err)}`, { cause: err });
  }
}

function seedStack(stacks: StackCatalog, yaml: string, file: string | undefined): void {
  try {
    stacks.seed(yaml);
  } catch (err) {
    throw new ConfigError(`hub: ${file ?? 'the built-in stack'}: ${errorMessage(err)}`, { cause: err });
  }
}
