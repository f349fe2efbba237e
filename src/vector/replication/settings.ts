import type { SettingsWire } from './wire.js';

/** Replication tunables, with the defaults a replica uses until its assignment says otherwise. */
export interface Settings {
  lagTimeoutMs: number;
  fetchWaitMs: number;
  retainRecords: number;
  segmentBytes: number;
  writeTimeoutMs: number;
  leaderWaitMs: number;
}

export const DEFAULT_SETTINGS: Settings = {
  lagTimeoutMs: 5000,
  fetchWaitMs: 500,
  retainRecords: 100_000,
  segmentBytes: 8 * 1024 * 1024,
  writeTimeoutMs: 30_000,
  leaderWaitMs: 20_000,
};

export function settingsFrom(wire: SettingsWire | undefined): Settings {
  const out = { ...DEFAULT_SETTINGS };
  for (const [k, v] of Object.entries(wire ?? {})) if (typeof v === 'number') out[k as keyof Settings] = v;
  // A caught-up follower must ask again well within the lag bound.
  out.fetchWaitMs = Math.min(out.fetchWaitMs, Math.max(10, Math.floor(out.lagTimeoutMs / 3)));
  return out;
}
