import type { Logger } from 'pino';
import { readConfigFile, validateConfig } from '../core/config.js';
import { reportReadyToParent } from '../core/child.js';
import { ConfigError } from '../core/errors.js';
import { once } from '../core/lifecycle.js';
import { createLogger } from '../core/log.js';
import type { TlsIdentity } from '../core/tls/index.js';
import { identitySetupSchema, obtainIdentity } from './identity-setup.js';
import { isRoleName, ROLE_ENTRIES, type RoleEntry } from './roles.js';

/**
 * `phoenix run <role> --config FILE`: one role in this process. Reads and validates the config,
 * obtains the certificate identity (keeping it renewed), starts the role, reports readiness to a
 * supervising parent if there is one, and shuts down cleanly on SIGINT/SIGTERM or when the parent
 * goes away.
 */
export async function runRole(roleName: string, configFile: string): Promise<void> {
  if (!isRoleName(roleName)) throw new ConfigError(`unknown role "${roleName}"; roles: ${Object.keys(ROLE_ENTRIES).join(', ')}`);
  const entry: RoleEntry = ROLE_ENTRIES[roleName];
  const raw = readConfigFile(configFile);
  const config = validateConfig(entry.schema, raw, roleName) as { name: string; trustDomain: string; log: { level: string } };
  const logger = createLogger(roleName, config.name, { level: config.log.level });
  const renewal = new AbortController();
  let identity: TlsIdentity | undefined;
  if (entry.identityRole !== null) {
    const setup = validateConfig(identitySetupSchema, raw['identity'], `${roleName} identity`);
    identity = await obtainIdentity(setup, { trustDomain: config.trustDomain, role: entry.identityRole, name: config.name }, logger, renewal.signal);
    identity.start(renewal.signal);
  }
  const handle = await entry.start(config as never, { identity, logger });
  const shutdown = once(async () => {
    renewal.abort();
    await handle.close();
    logger.info('stopped');
  });
  installSignalHandlers(shutdown, logger);
  logger.info({ endpoints: handle.endpoints }, `${roleName} ready`);
  reportReadyToParent(handle.endpoints, shutdown);
}

function installSignalHandlers(shutdown: () => Promise<void>, logger: Logger): void {
  const onSignal = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'stopping');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    void shutdown().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err: (err as Error).message }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}
