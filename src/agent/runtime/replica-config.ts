import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Where an instance's files live under the agent's data directory; stable across restarts. */
export interface InstancePaths {
  dir: string;
  configFile: string;
  /** The desired spec the agent last started it with (found again after an agent restart). */
  specFile: string;
  dataDir: string;
  logFile: string;
  /** The instance's key and certificate chain (written by the replica, or by the agent for `process`). */
  tlsKey: string;
  tlsCert: string;
  caFile: string;
}

export function instancePaths(agentDataDir: string, id: string): InstancePaths {
  const root = resolve(agentDataDir);
  const dir = join(root, 'instances', id);
  return {
    dir,
    configFile: join(dir, 'config.json'),
    specFile: join(dir, 'spec.json'),
    dataDir: join(dir, 'data'),
    logFile: join(root, 'logs', `${id}.log`),
    tlsKey: join(dir, 'tls', 'key.pem'),
    tlsCert: join(dir, 'tls', 'cert.pem'),
    caFile: join(dir, 'tls', 'ca.pem'),
  };
}

export interface ReplicaConfigInput {
  id: string;
  trustDomain: string;
  advertiseAddress: string;
  ca: { url: string; rootFile: string };
  /** One-time CA token for this start. */
  token: string;
  paths: InstancePaths;
}

/**
 * The config file an embedded replica (`phoenix run vector --config <file>`) starts from. The
 * replica also writes its key and certificate to the instance's tls/ folder (0600), so the agent
 * can health-check it and read its `/metrics` as itself.
 */
export function replicaConfig(input: ReplicaConfigInput) {
  return {
    name: input.id,
    trustDomain: input.trustDomain,
    dataDir: input.paths.dataDir,
    listen: { host: input.advertiseAddress, port: 0 },
    identity: {
      ca: { url: input.ca.url, rootFile: resolve(input.ca.rootFile), token: input.token },
      dnsNames: ['localhost'],
      ipAddresses: [input.advertiseAddress],
      files: { key: input.paths.tlsKey, cert: input.paths.tlsCert },
    },
    log: { level: 'info' },
    // Started for the hub: wait for the replication assignment before taking writes.
    replication: { mode: 'managed' },
  };
}

/** Writes the replica's config file (0600: it holds a token), atomically; returns its path. */
export function writeReplicaConfig(input: ReplicaConfigInput): string {
  mkdirSync(input.paths.dir, { recursive: true, mode: 0o700 });
  mkdirSync(input.paths.dataDir, { recursive: true, mode: 0o700 });
  const tmp = `${input.paths.configFile}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(replicaConfig(input), null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, input.paths.configFile);
  return input.paths.configFile;
}
