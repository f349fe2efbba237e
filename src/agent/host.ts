import { availableParallelism, hostname, platform, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';

/** Facts about this host, sent to the hub with every sync. */
export interface HostFacts {
  hostname: string;
  platform: string;
  cpus: number;
  memoryBytes: number;
}

export function hostFacts(): HostFacts {
  return { hostname: hostname(), platform: platform(), cpus: availableParallelism(), memoryBytes: totalmem() };
}

/** Phoenix's version, from package.json (compiled file: dist/src/agent/host.js). */
export function phoenixVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}
