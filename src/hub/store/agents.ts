import type { HubDatabase } from './db.js';

/** What an agent says about its host on every sync. */
export interface HostFacts {
  hostname: string;
  platform: string;
  cpus: number;
  memoryBytes: number;
  arch?: string | undefined;
  release?: string | undefined;
  cpuModel?: string | undefined;
  /** 1, 5 and 15 minute load averages. */
  loadAverage?: number[] | undefined;
  memoryFreeBytes?: number | undefined;
  uptimeSeconds?: number | undefined;
  nodeVersion?: string | undefined;
  /** The file system holding the agent's data directory. */
  disk?: { path: string; totalBytes: number; freeBytes: number } | undefined;
}

/** An agent as last heard from. */
export interface AgentRecord {
  name: string;
  version: string;
  host: HostFacts;
  /** Where its replicas listen (goes into their certificates). */
  advertiseAddress: string;
  /** The sync interval the agent stated, if it did. */
  syncIntervalMs: number | null;
  firstSeenAt: number;
  lastHeartbeatAt: number;
  /** The client certificate of its last sync. */
  certSerial: string | null;
  certNotAfter: number | null;
  /** The last time the hub refused it, and why (version mismatch, expired or revoked certificate). */
  refusedAt: number | null;
  refusedReason: string | null;
}

interface Row {
  name: string;
  version: string;
  hostname: string;
  platform: string;
  cpus: number;
  memory_bytes: number;
  advertise_address: string;
  sync_interval_ms: number | null;
  first_seen_at: number;
  last_heartbeat_at: number;
  facts: string | null;
  cert_serial: string | null;
  cert_not_after: number | null;
  refused_at: number | null;
  refused_reason: string | null;
}

function fromRow(r: Row): AgentRecord {
  const extra = r.facts ? (JSON.parse(r.facts) as Partial<HostFacts>) : {};
  return {
    name: r.name,
    version: r.version,
    host: { ...extra, hostname: r.hostname, platform: r.platform, cpus: r.cpus, memoryBytes: r.memory_bytes },
    advertiseAddress: r.advertise_address,
    syncIntervalMs: r.sync_interval_ms,
    firstSeenAt: r.first_seen_at,
    lastHeartbeatAt: r.last_heartbeat_at,
    certSerial: r.cert_serial,
    certNotAfter: r.cert_not_after,
    refusedAt: r.refused_at,
    refusedReason: r.refused_reason,
  };
}

export type Heartbeat = Pick<AgentRecord, 'name' | 'version' | 'host' | 'advertiseAddress' | 'syncIntervalMs'> & { certSerial?: string | null; certNotAfter?: number | null };

export class AgentStore {
  constructor(private readonly db: HubDatabase) {}

  /** Records a heartbeat (a sync) with the agent's current facts. */
  heartbeat(agent: Heartbeat, now = Date.now()): void {
    const { hostname, platform, cpus, memoryBytes, ...extra } = agent.host;
    this.db
      .prepare(
        `INSERT INTO agents (name, version, hostname, platform, cpus, memory_bytes, advertise_address, sync_interval_ms, first_seen_at, last_heartbeat_at, facts, cert_serial, cert_not_after)
         VALUES (@name, @version, @hostname, @platform, @cpus, @memoryBytes, @advertiseAddress, @syncIntervalMs, @now, @now, @facts, @certSerial, @certNotAfter)
         ON CONFLICT(name) DO UPDATE SET version = excluded.version, hostname = excluded.hostname, platform = excluded.platform,
           cpus = excluded.cpus, memory_bytes = excluded.memory_bytes, advertise_address = excluded.advertise_address,
           sync_interval_ms = excluded.sync_interval_ms, last_heartbeat_at = excluded.last_heartbeat_at, facts = excluded.facts,
           cert_serial = COALESCE(excluded.cert_serial, cert_serial), cert_not_after = COALESCE(excluded.cert_not_after, cert_not_after)`,
      )
      .run({
        name: agent.name,
        version: agent.version,
        hostname,
        platform,
        cpus,
        memoryBytes,
        advertiseAddress: agent.advertiseAddress,
        syncIntervalMs: agent.syncIntervalMs,
        now,
        facts: JSON.stringify(extra),
        certSerial: agent.certSerial ?? null,
        certNotAfter: agent.certNotAfter ?? null,
      });
  }

  /** Records that the hub refused a known agent, and why (unknown agents are not recorded). */
  refused(name: string, reason: string, now = Date.now(), cert?: { serial: string; notAfter: number }): void {
    this.db
      .prepare('UPDATE agents SET refused_at = ?, refused_reason = ?, cert_serial = COALESCE(?, cert_serial), cert_not_after = COALESCE(?, cert_not_after) WHERE name = ?')
      .run(now, reason, cert?.serial ?? null, cert?.notAfter ?? null, name);
  }

  get(name: string): AgentRecord | undefined {
    const row = this.db.prepare('SELECT * FROM agents WHERE name = ?').get(name) as Row | undefined;
    return row && fromRow(row);
  }

  list(): AgentRecord[] {
    return (this.db.prepare('SELECT * FROM agents ORDER BY name').all() as Row[]).map(fromRow);
  }

  /** Forgets an agent (its instances are rescheduled). */
  delete(name: string): boolean {
    return this.db.prepare('DELETE FROM agents WHERE name = ?').run(name).changes === 1;
  }
}
