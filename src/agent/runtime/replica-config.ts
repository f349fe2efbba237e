import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Where an instance's files live under the agent's data directory; stable across restarts. */
export interface InstancePaths {
  dir: string;
  configFile: string;
  dataDir: string;
  logFile: string;
}

export function instancePaths(agentDataDir: string, id: string): InstancePaths {
  const root = resolve(agentDataDir);
  const dir = join(root, 'instances', id);
  return { dir, configFile: join(dir, 'config.json'), dataDir: join(dir, 'data'), logFile: join(root, 'logs', `${id}.log`) };
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

/** The config file a replica (`phoenix run vector --config <file>`) starts from. */
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
    },
    log: { level: 'info' },
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
