import type { Logger } from 'pino';
import { errorMessage } from '../../core/errors.js';
import { sleep } from '../../core/lifecycle.js';
import type { AppliedMarker } from './applied-marker.js';
import type { Applier } from './applier.js';
import { DivergedError } from './errors.js';
import type { ReplicationLog } from './log.js';
import { decodeRecord, isMeta } from './mutation.js';
import type { PeerClient } from './peer-client.js';
import type { Settings } from './settings.js';
import type { PeerRef } from './state.js';

export interface FollowerDeps {
  client: PeerClient;
  applier: Applier;
  marker: AppliedMarker;
  logger: Logger;
  settings: () => Settings;
  /** The current log (replaced when a snapshot is installed). */
  log: () => ReplicationLog;
  logId: () => string;
  epoch: () => number;
  /** Downloads and installs the leader's snapshot; the log restarts at its position. */
  resync: (leader: PeerRef, signal: AbortSignal) => Promise<void>;
  /** A newer epoch seen in the leader's answers. */
  adoptEpoch: (epoch: number) => void;
}

/**
 * A follower: fetches the leader's log from its own position (the request is its acknowledgement),
 * appends the records to its log, and applies them once they are durable — so a follower never
 * holds an applied record its log lacks. When the leader says its position cannot continue (new
 * replica, truncated away, another log generation, diverged), it installs the leader's snapshot
 * and streams on from there. Ready while the leader counts it in sync and answers it.
 */
export class Follower {
  private readonly ac = new AbortController();
  private readonly running: Promise<void>;
  private inSync = false;
  /** Until when the leader counts this follower in sync, measured from when the fetch was sent. */
  private inSyncUntil = 0;
  private leaderEnd = 0;
  private lastError: string | undefined;
  private resyncing = false;
  private needSnapshot = false;
  private appliedWaiters: Array<{ seq: number; resolve: () => void }> = [];
  snapshotsInstalled = 0;

  /**
   * Last seq applied here. The log's end runs ahead of it while received records wait for their
   * fsync and their application: read-your-writes must wait for this one, not for the log.
   */
  private applied: number;

  constructor(
    private readonly d: FollowerDeps,
    readonly leader: PeerRef,
  ) {
    this.applied = d.log().lastSeq;
    this.running = this.loop();
  }

  private async loop(): Promise<void> {
    let backoff = 100;
    const signal = this.ac.signal;
    while (!signal.aborted) {
      try {
        if (this.needSnapshot) {
          this.resyncing = true;
          this.inSync = false;
          await this.d.resync(this.leader, signal);
          this.snapshotsInstalled++;
          this.applied = this.d.log().lastSeq;
          this.needSnapshot = false;
          this.resyncing = false;
          this.notifyApplied();
          continue;
        }
        await this.step(signal);
        backoff = 100;
      } catch (err) {
        if (signal.aborted) break;
        this.resyncing = false;
        if (err instanceof DivergedError) {
          this.d.logger.warn({ err: err.message, leader: this.leader.id }, 'log cannot continue here: resyncing from a snapshot');
          this.needSnapshot = true;
          continue;
        }
        this.lastError = errorMessage(err);
        this.d.logger.debug({ err: this.lastError, leader: this.leader.id }, 'fetch from the leader failed');
        await sleep(backoff, signal).catch(() => undefined);
        backoff = Math.min(1000, backoff * 2);
      }
    }
  }

  private async step(signal: AbortSignal): Promise<void> {
    const s = this.d.settings();
    const log = this.d.log();
    const position = log.lastSeq;
    const sentAt = Date.now();
    const answer = await this.d.client.fetch(
      this.leader,
      { logId: this.d.logId(), epoch: this.d.epoch(), from: position + 1, lastEpoch: log.epochOf(position) ?? 0, maxBytes: 4 * 1024 * 1024, waitMs: s.fetchWaitMs },
      signal,
    );
    const h = answer.header;
    if (h.status === 'snapshot') {
      this.d.logger.info({ leader: this.leader.id, reason: h.reason }, 'the leader asks for a resync from its snapshot');
      this.needSnapshot = true;
      return;
    }
    if (h.status === 'stale') {
      this.inSync = false;
      this.inSyncUntil = 0;
      this.lastError = h.reason ?? 'the leader refused the fetch';
      await sleep(200, signal);
      return;
    }
    if (h.epoch > this.d.epoch()) this.d.adoptEpoch(h.epoch);
    let durable: Promise<void> | undefined;
    for (const r of answer.records) durable = log.append(r.seq, r.epoch, Buffer.from(r.body));
    if (durable) await durable;
    for (const r of answer.records) {
      const record = decodeRecord(r.seq, r.body);
      if (isMeta(record.entry)) {
        await this.d.applier.applyMeta(record);
        this.d.marker.note(record.seq, record.entry);
      } else {
        this.d.marker.note(record.seq, record.entry, this.d.applier.applyWrite(record));
      }
      this.applied = record.seq;
    }
    this.inSync = h.inSync;
    this.inSyncUntil = h.inSync ? sentAt + (h.inSyncForMs ?? s.lagTimeoutMs) : 0;
    this.leaderEnd = h.end;
    this.lastError = undefined;
    if (answer.records.length > 0) this.notifyApplied();
  }

  /** Last seq applied here. */
  get position(): number {
    return this.applied;
  }

  get lag(): number {
    return Math.max(0, this.leaderEnd - this.position);
  }

  ready(): { ready: boolean; detail: string } {
    if (this.resyncing || this.needSnapshot) return { ready: false, detail: `installing a snapshot of leader ${this.leader.id}` };
    if (this.inSync && Date.now() > this.inSyncUntil) return { ready: false, detail: `no answer from leader ${this.leader.id}${this.lastError ? `: ${this.lastError}` : ''}` };
    if (!this.inSync) return { ready: false, detail: `catching up with leader ${this.leader.id} (${this.lag} records behind)` };
    return { ready: true, detail: `following ${this.leader.id}, in sync` };
  }

  get synced(): boolean {
    return this.ready().ready;
  }

  /** Resolves once this replica has applied `seq` (read-your-writes), or rejects after `ms`. */
  waitApplied(seq: number, ms: number): Promise<boolean> {
    if (this.position >= seq) return Promise.resolve(true);
    return new Promise((resolve) => {
      const w = {
        seq,
        resolve: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      const timer = setTimeout(() => {
        this.appliedWaiters = this.appliedWaiters.filter((x) => x !== w);
        resolve(false);
      }, ms);
      this.appliedWaiters.push(w);
    });
  }

  private notifyApplied(): void {
    const position = this.position;
    this.appliedWaiters = this.appliedWaiters.filter((w) => {
      if (w.seq > position) return true;
      w.resolve();
      return false;
    });
  }

  /** Stops fetching (a new epoch, another leader, or the replica closing). */
  async stop(): Promise<void> {
    this.ac.abort();
    await this.running;
    for (const w of this.appliedWaiters) w.resolve();
    this.appliedWaiters = [];
  }
}
