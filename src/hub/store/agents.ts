import type { HubDatabase } from './db.js';

export interface HostFacts {
  hostname: string;
  platform: string;
  cpus: number;
  memoryBytes: number;
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
}

function fromRow(r: Row): AgentRecord {
  return {
    name: r.name,
    version: r.version,
    host: { hostname: r.hostname, platform: r.platform, cpus: r.cpus, memoryBytes: r.memory_bytes },
    advertiseAddress: r.advertise_address,
    syncIntervalMs: r.sync_interval_ms,
    firstSeenAt: r.first_seen_at,
    lastHeartbeatAt: r.last_heartbeat_at,
  };
}

export class AgentStore {
  constructor(private readonly db: HubDatabase) {}

  /** Records a heartbeat (a sync) with the agent's current facts. */
  heartbeat(agent: Omit<AgentRecord, 'firstSeenAt' | 'lastHeartbeatAt'>, now = Date.now()): void {
    this.db
      .prepare(
        `INSERT INTO agents (name, version, hostname, platform, cpus, memory_bytes, advertise_address, sync_interval_ms, first_seen_at, last_heartbeat_at)
         VALUES (@name, @version, @hostname, @platform, @cpus, @memoryBytes, @advertiseAddress, @syncIntervalMs, @now, @now)
         ON CONFLICT(name) DO UPDATE SET version = excluded.version, hostname = excluded.hostname, platform = excluded.platform,
           cpus = excluded.cpus, memory_bytes = excluded.memory_bytes, advertise_address = excluded.advertise_address,
           sync_interval_ms = excluded.sync_interval_ms, last_heartbeat_at = excluded.last_heartbeat_at`,
      )
      .run({ ...agent, ...agent.host, now });
  }

  get(name: string): AgentRecord | undefined {
    const row = this.db.prepare('SELECT * FROM agents WHERE name = ?').get(name) as Row | undefined;
    return row && fromRow(row);
  }

  list(): AgentRecord[] {
    return (this.db.prepare('SELECT * FROM agents ORDER BY name').all() as Row[]).map(fromRow);
  }
}
