import { z } from 'zod';

/**
 * The replication protocol's bodies, validated at the edge: the assignment an agent relays from
 * the hub's controller, the replica's status it reads back, and a follower's fetch.
 */
const id = z.string().regex(/^[a-zA-Z0-9._-]{1,128}$/);

export const peerSchema = z.strictObject({
  id,
  url: z
    .string()
    .url()
    .refine((u) => u.startsWith('https://'), 'must be an https:// URL'),
  identity: z.string().regex(/^spiffe:\/\/[a-z0-9.-]+\/vector\/[a-zA-Z0-9._-]+$/, 'must be a vector identity'),
});

/** Tunables the controller sends with every assignment (defaults in `settings.ts`). */
export const settingsSchema = z.strictObject({
  /** A follower that has not caught up with the leader's log for this long leaves the in-sync set. */
  lagTimeoutMs: z.number().int().min(100).max(600_000).optional(),
  /** How long a caught-up follower's fetch waits for new records. */
  fetchWaitMs: z.number().int().min(10).max(60_000).optional(),
  /** Records the log keeps beyond what it needs (older ones are let go segment by segment). */
  retainRecords: z.number().int().min(1).max(100_000_000).optional(),
  /** Size of a log segment file, the unit of truncation. */
  segmentBytes: z.number().int().min(4096).max(1024 * 1024 * 1024).optional(),
  /** How long a `wait=true` write waits for the replicas before it fails. */
  writeTimeoutMs: z.number().int().min(100).max(600_000).optional(),
  /** How long a request waits for a leader (during an election) before it fails. */
  leaderWaitMs: z.number().int().min(100).max(600_000).optional(),
});
export type SettingsWire = z.output<typeof settingsSchema>;

export const ROLES = ['leader', 'follower', 'candidate'] as const;

export const assignmentSchema = z
  .strictObject({
    /** The replica set, `<stack>/<service>`. */
    set: z.string().min(1).max(200),
    mode: z.enum(['standalone', 'member']),
    epoch: z.number().int().min(0),
    /** `candidate`: an election is running; stop following (fence) and report the position. */
    role: z.enum(ROLES).optional(),
    leader: peerSchema.nullable().optional(),
    members: z.array(z.strictObject({ id, joining: z.boolean().default(false) })).max(64).default([]),
    /** The leader stops taking writes until its followers have everything (a planned hand-over). */
    drain: z.boolean().default(false),
    settings: settingsSchema.default({}),
  })
  .refine((a) => a.mode === 'standalone' || a.role !== undefined, { message: 'a member needs a role', path: ['role'] })
  .refine((a) => a.role !== 'follower' || (a.leader !== null && a.leader !== undefined), { message: 'a follower needs a leader', path: ['leader'] });
export type Assignment = z.output<typeof assignmentSchema>;

export const fetchRequestSchema = z.strictObject({
  logId: z.string().max(64),
  epoch: z.number().int().min(0),
  /** First seq wanted; `from - 1` is what the follower has applied (its acknowledgement). */
  from: z.number().int().min(1),
  /** Epoch of the follower's record at `from - 1` (log matching). */
  lastEpoch: z.number().int().min(0),
  maxBytes: z.number().int().min(1).max(256 * 1024 * 1024).default(4 * 1024 * 1024),
  waitMs: z.number().int().min(0).max(60_000).default(500),
});
export type FetchRequest = z.output<typeof fetchRequestSchema>;

/** `ok`: records follow; `snapshot`: the follower must resync from a snapshot; `stale`: ask the controller (not a member, or a newer epoch exists). */
export interface FetchHeader {
  status: 'ok' | 'snapshot' | 'stale';
  epoch: number;
  logId: string;
  /** The leader's last durable seq. */
  end: number;
  /** Whether the leader counts this follower in its in-sync set. */
  inSync: boolean;
  /**
   * How much longer the leader will count it in sync without hearing from it. The follower stays
   * ready only that long after sending the fetch this answers, so it turns not ready before the
   * leader completes a write without it.
   */
  inSyncForMs?: number;
  reason?: string;
}

export type ReplicaRole = 'standalone' | 'awaiting' | 'leader' | 'follower' | 'candidate';

export interface FollowerStatus {
  id: string;
  position: number;
  lag: number;
  inSync: boolean;
  joining: boolean;
  lastFetchMsAgo: number | null;
}

/** What a replica reports (to its agent, which relays it to the hub). */
export interface ReplicaStatus {
  id: string;
  /** Changes at every start: the controller sees a restart. */
  bootId: string;
  set: string | null;
  mode: 'none' | 'standalone' | 'member';
  role: ReplicaRole;
  epoch: number;
  logId: string;
  leader: string | null;
  /** Last seq applied and durable here. */
  position: number;
  /** Epoch of the record at `position`. */
  lastEpoch: number;
  logStart: number;
  /** Followers: how far behind the leader's log end (as last seen); leaders: 0. */
  lag: number;
  inSync: boolean;
  ready: boolean;
  detail: string;
  /** This replica applied writes its log does not hold (a leader's crash): it must not lead that log, and resyncs. */
  dirty: boolean;
  /** Leader asked to drain: everything is on every in-sync follower and no write is pending. */
  drained: boolean;
  snapshotsInstalled: number;
  followers?: FollowerStatus[];
}
