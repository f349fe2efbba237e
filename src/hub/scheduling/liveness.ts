import type { AgentRecord } from '../store/agents.js';

/** How the hub judges whether an agent is alive from its syncs. */
export interface LivenessPolicy {
  /** The sync interval assumed for agents that do not state theirs. */
  agentSyncInterval: number;
  /** Missed syncs after which an agent is unhealthy and its instances leave discovery. */
  missedSyncs: number;
}

export interface Liveness {
  healthy: boolean;
  detail: string;
  /** Milliseconds since the last sync. */
  silentForMs: number;
}

/** Slack for network and scheduling jitter on top of the missed-sync allowance. */
const SLACK_MS = 250;

export function agentLiveness(agent: Pick<AgentRecord, 'lastHeartbeatAt' | 'syncIntervalMs'>, policy: LivenessPolicy, now: number): Liveness {
  const interval = agent.syncIntervalMs ?? policy.agentSyncInterval;
  const silentForMs = Math.max(0, now - agent.lastHeartbeatAt);
  const limit = policy.missedSyncs * interval + SLACK_MS;
  if (silentForMs <= limit) return { healthy: true, detail: `syncing every ${interval} ms`, silentForMs };
  const missed = Math.floor(silentForMs / interval);
  return { healthy: false, detail: `missed ${missed} syncs: last sync ${(silentForMs / 1000).toFixed(1)} s ago`, silentForMs };
}
