import { parseDuration } from '../../core/duration.js';

/**
 * Replication tunables of a service, from its stack labels (no restart needed to change them):
 * `phoenix.replication.lag-timeout` (a follower out of date this long leaves the in-sync set),
 * `…failover-after` (an unreachable leader is replaced after this long), `…election-wait`,
 * `…drain-timeout`, `…write-timeout`, `…fetch-wait`, `…retain-records`, `…segment-bytes`.
 */
export interface ControllerSettings {
  failoverAfterMs: number;
  electionWaitMs: number;
  drainTimeoutMs: number;
  /** Sent to the replicas with their assignment. */
  replica: Record<string, number>;
}

const DURATIONS: Record<string, string> = {
  'lag-timeout': 'lagTimeoutMs',
  'write-timeout': 'writeTimeoutMs',
  'fetch-wait': 'fetchWaitMs',
  'leader-wait': 'leaderWaitMs',
};
const COUNTS: Record<string, string> = { 'retain-records': 'retainRecords', 'segment-bytes': 'segmentBytes' };
const PREFIX = 'phoenix.replication.';

export function controllerSettings(labels: Record<string, string>): ControllerSettings {
  const out: ControllerSettings = { failoverAfterMs: 3000, electionWaitMs: 3000, drainTimeoutMs: 5000, replica: {} };
  for (const [key, value] of Object.entries(labels)) {
    if (!key.startsWith(PREFIX)) continue;
    const name = key.slice(PREFIX.length);
    try {
      if (name === 'failover-after') out.failoverAfterMs = parseDuration(value);
      else if (name === 'election-wait') out.electionWaitMs = parseDuration(value);
      else if (name === 'drain-timeout') out.drainTimeoutMs = parseDuration(value);
      else if (DURATIONS[name]) out.replica[DURATIONS[name]] = parseDuration(value);
      else if (COUNTS[name] && /^\d+$/.test(value)) out.replica[COUNTS[name]] = Number(value);
    } catch {
      /* a bad label value keeps the default */
    }
  }
  return out;
}
