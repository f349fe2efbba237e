import type { FollowerStatus } from './wire.js';

/** A follower as the leader sees it (the Kafka model: its fetch position is its acknowledgement). */
export interface FollowerView {
  id: string;
  joining: boolean;
  /** Last seq it has applied (its last fetch asked for `position + 1`). */
  position: number;
  lastFetchAt: number | undefined;
  /** Last time it had everything the leader had. */
  caughtUpAt: number | undefined;
  /** The leader's durable end and the time of the last answer to it. */
  answeredEnd: number;
  answeredAt: number;
  /** Fetches of its waiting for new records right now (it is caught up while one waits). */
  parked: number;
}

/**
 * The leader's bookkeeping of its followers: positions, the in-sync set (a follower that has not
 * been caught up for `lagTimeoutMs` leaves it), and whether a record is replicated enough to
 * answer `completed`: every in-sync follower has applied it, and so have at least `need` replicas
 * counting the leader (a majority of the voting members, or more when `write_consistency_factor`
 * asks). A leader that loses its followers thus cannot complete writes on its own: fencing.
 */
export class InSyncSet {
  private readonly views = new Map<string, FollowerView>();

  constructor(private lagTimeoutMs: number) {}

  setLagTimeout(ms: number): void {
    this.lagTimeoutMs = ms;
  }

  /** Members other than the leader; views of removed members go. */
  setMembers(members: ReadonlyArray<{ id: string; joining: boolean }>): void {
    const ids = new Set(members.map((m) => m.id));
    for (const id of this.views.keys()) if (!ids.has(id)) this.views.delete(id);
    for (const m of members) {
      const v = this.views.get(m.id);
      if (v) v.joining = m.joining;
      else this.views.set(m.id, { id: m.id, joining: m.joining, position: -1, lastFetchAt: undefined, caughtUpAt: undefined, answeredEnd: 0, answeredAt: 0, parked: 0 });
    }
  }

  get(id: string): FollowerView | undefined {
    return this.views.get(id);
  }

  /** Replicas that vote (the leader and every member no longer joining). */
  voters(): number {
    let n = 1;
    for (const v of this.views.values()) if (!v.joining) n++;
    return n;
  }

  members(): number {
    return this.views.size + 1;
  }

  /** A fetch asking for `from` arrived: the follower has everything before it. `end` is the leader's durable end. */
  acknowledged(v: FollowerView, from: number, end: number, now: number): void {
    v.position = from - 1;
    v.lastFetchAt = now;
    if (v.position >= end) v.caughtUpAt = now;
    else if (v.position >= v.answeredEnd && v.answeredAt > 0) v.caughtUpAt = Math.max(v.caughtUpAt ?? 0, v.answeredAt);
  }

  answered(v: FollowerView, end: number, now: number): void {
    v.answeredEnd = end;
    v.answeredAt = now;
  }

  /** How long `v` stays in sync from `now` if nothing more is heard from it. */
  inSyncFor(v: FollowerView, now: number): number {
    if (v.parked > 0) return this.lagTimeoutMs;
    return v.caughtUpAt === undefined ? 0 : Math.max(0, v.caughtUpAt + this.lagTimeoutMs - now);
  }

  inSync(v: FollowerView, now: number): boolean {
    return v.parked > 0 || (v.caughtUpAt !== undefined && now - v.caughtUpAt <= this.lagTimeoutMs);
  }

  /** True when `seq` may be answered `completed`. */
  replicated(seq: number, need: number, now: number): boolean {
    let count = 1;
    for (const v of this.views.values()) {
      if (v.position >= seq) count++;
      else if (this.inSync(v, now)) return false;
    }
    return count >= need;
  }

  /** Highest seq every in-sync follower has (the leader's `end` when none lags). */
  commitIndex(end: number, now: number): number {
    let c = end;
    for (const v of this.views.values()) if (this.inSync(v, now) && v.position < c) c = v.position;
    return c;
  }

  /** Every in-sync follower has everything up to `end`. */
  allCaughtUp(end: number, now: number): boolean {
    for (const v of this.views.values()) if (this.inSync(v, now) && v.position < end) return false;
    return true;
  }

  status(end: number, now: number): FollowerStatus[] {
    return [...this.views.values()].map((v) => ({
      id: v.id,
      position: v.position,
      lag: Math.max(0, end - v.position),
      inSync: this.inSync(v, now),
      joining: v.joining,
      lastFetchMsAgo: v.lastFetchAt === undefined ? null : now - v.lastFetchAt,
    }));
  }
}
