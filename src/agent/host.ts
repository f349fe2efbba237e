import { statfsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { arch, availableParallelism, cpus, freemem, hostname, loadavg, platform, release, totalmem, uptime } from 'node:os';

/** Facts about this host, sent to the hub with every sync. */
export interface HostFacts {
  hostname: string;
  platform: string;
  cpus: number;
  memoryBytes: number;
  arch: string;
  release: string;
  cpuModel?: string;
  loadAverage: number[];
  memoryFreeBytes: number;
  uptimeSeconds: number;
  nodeVersion: string;
  disk?: { path: string; totalBytes: number; freeBytes: number };
}

export function hostFacts(dataDir: string): HostFacts {
  const facts: HostFacts = {
    hostname: hostname(),
    platform: platform(),
    cpus: availableParallelism(),
    memoryBytes: totalmem(),
    arch: arch(),
    release: release(),
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
    memoryFreeBytes: freemem(),
    uptimeSeconds: Math.round(uptime()),
    nodeVersion: process.version,
  };
  const model = cpus()[0]?.model?.trim();
  if (model) facts.cpuModel = model.slice(0, 256);
  // The file system that holds (or will hold) the data directory: its nearest existing ancestor.
  for (let dir = resolve(dataDir); ; dir = dirname(dir)) {
    try {
      const fs = statfsSync(dir);
      facts.disk = { path: dataDir, totalBytes: fs.blocks * fs.bsize, freeBytes: fs.bavail * fs.bsize };
      break;
    } catch {
      if (dirname(dir) === dir) break;
    }
  }
  return facts;
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
