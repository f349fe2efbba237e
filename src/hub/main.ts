import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Server as TlsServer } from 'node:tls';
import { loadProvisionerKey, type ProvisionerKey } from '../core/ca-client/index.js';
import { ConfigError, errorMessage } from '../core/errors.js';
import { every, once, type RoleHandle } from '../core/lifecycle.js';
import type { Logger } from '../core/log.js';
import { guardTlsServer, serverTlsOptions, type TlsIdentity } from '../core/tls/index.js';
import { createHubApp } from './api/app.js';
import { Accounts } from './auth/accounts.js';
import { LoginThrottle } from './auth/throttle.js';
import type { HubConfig } from './config.js';
import { Fleet } from './fleet.js';
import { PeerMonitor } from './health/peers.js';
import { RouterSightings } from './health/routers.js';
import { createHubMetrics } from './metrics.js';
import { ReplicaTokens } from './replica-tokens.js';
import { StackCatalog } from './stacks/catalog.js';
import { DEFAULT_STACK_YAML } from './stacks/default.js';
import { AgentStore } from './store/agents.js';
import { openHubDatabase } from './store/db.js';
import { InstanceStore } from './store/instances.js';
import { SessionStore } from './store/sessions.js';
import { StackStore } from './store/stacks.js';
import { UserStore } from './store/users.js';

export interface HubDeps {
  /** The hub's certificate identity (`spiffe://<td>/hub/<name>`); startHub keeps it renewed. */
  identity: TlsIdentity;
  logger: Logger;
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
  try {
    const stacks = new StackCatalog(new StackStore(db));
    seedStack(stacks, initialStack, config.stackFile);
    const accounts = new Accounts(
      new UserStore(db),
      new SessionStore(db),
      new LoginThrottle({ maxFailures: config.login.maxFailures, lockoutMs: config.login.lockout, maxLockoutMs: config.login.maxLockout }),
      config.sessionTtl,
    );
    await accounts.ensureAdmin(config.adminPassword);
    const fleet = new Fleet({
      agents: new AgentStore(db),
      instances: new InstanceStore(db),
      stacks,
      trustDomain: config.trustDomain,
      liveness: { agentSyncInterval: config.health.agentSyncInterval, missedSyncs: config.health.missedSyncs },
      reassignAfterMs: config.health.reassignAfter,
    });
    stacks.onChange(() => fleet.reschedule());
    fleet.reschedule();
    const peers = new PeerMonitor(config.peers, identity.rootPem, { intervalMs: config.health.peerInterval, timeoutMs: config.health.peerTimeout, logger });
    const routers = new RouterSightings(config.health.routerStaleAfter);
    const tokens = new ReplicaTokens(provisioner, config.ca.url);
    const metrics = createHubMetrics(fleet);
    const app = createHubApp({ config, logger, accounts, stacks, fleet, peers, routers, tokens }, serverTlsOptions(identity, 'optional'), metrics);

    await app.listen({ host: config.listen.host, port: config.listen.port });
    const unguard = guardTlsServer(app.server as unknown as TlsServer, { identity, logger });
    peers.start(ac.signal);
    void every(60_000, ac.signal, () => void accounts.purgeExpiredSessions(), (err) => logger.warn({ err: errorMessage(err) }, 'session purge failed'));

    const port = (app.server.address() as AddressInfo).port;
    logger.info({ port, host: config.listen.host, identity: identity.id.uri }, 'hub listening');
    const close = once(async () => {
      ac.abort();
      unguard();
      try {
        await app.close();
        await peers.close();
      } finally {
        db.close();
      }
      logger.info('hub stopped');
    });
    return { endpoints: { api: `https://localhost:${port}` }, close };
  } catch (err) {
    ac.abort();
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
