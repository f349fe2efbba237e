import type { Logger } from 'pino';
import type { Operation } from '../collection/operations.js';
import type { Engine } from '../engine/engine.js';
import { CollectionExistsError, CollectionNotFoundError, WrongInputError } from '../errors.js';
import { planAliases } from './alias-plan.js';
import type { AppliedMarker } from './applied-marker.js';
import type { Applier } from './applier.js';
import { LeadershipLostError, NotLeaderError, ReplicationTimeoutError, ReplicationUnavailableError } from './errors.js';
import { InSyncSet } from './in-sync.js';
import type { ReplicationLog, StoredRecord } from './log.js';
import { encodeEntry, type Entry, type Mutation, type SubmitResult } from './mutation.js';
import type { Settings } from './settings.js';
import type { ReplicaStateFile } from './state.js';
import type { FetchHeader, FetchRequest, FollowerStatus } from './wire.js';

export interface LeaderDeps {
  engine: Engine;
  log: ReplicationLog;
  state: ReplicaStateFile;
  applier: Applier;
  marker: AppliedMarker;
  logger: Logger;
  settings: () => Settings;
  /** Reads an archive for a snapshot-recovery record, after checking it. */
  readArchive: (file: string, checksum: string | undefined) => Promise<Buffer>;
}

interface Waiter {
  seq: number;
  need: number;
  resolve: () => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * The leader of a replica set: numbers every mutation, appends it to the replication log, applies
 * it, serves the log to its followers (long-polled fetches, each one acknowledging what the
 * follower applied) and answers `wait=true` writes once they are replicated enough (`InSyncSet`).
 *
 * A collection write is applied in the same synchronous step that gives it its seq (so the log's
 * order is the order of application, and the collection itself validates it); changes to the set
 * of collections and aliases are checked, logged, then applied, one at a time, while writes wait.
 */
export class Leader {
  readonly followers: InSyncSet;
  private waiters: Waiter[] = [];
  private metaChain: Promise<void> = Promise.resolve();
  private metaBusy = 0;
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;
  private deposed = false;
  private draining = false;
  private readonly timer: NodeJS.Timeout;
  private readonly fetches = new AbortController();

  constructor(
    private readonly d: LeaderDeps,
    readonly epoch: number,
    readonly logId: string,
    members: ReadonlyArray<{ id: string; joining: boolean }>,
  ) {
    this.followers = new InSyncSet(d.settings().lagTimeoutMs);
    this.followers.setMembers(members);
    this.timer = setInterval(() => this.check(), 100);
    this.timer.unref();
  }

  setMembers(members: ReadonlyArray<{ id: string; joining: boolean }>): void {
    this.followers.setMembers(members);
    this.followers.setLagTimeout(this.d.settings().lagTimeoutMs);
    this.check();
  }

  // ---- writes ----

  async submit(m: Mutation, wait: boolean): Promise<SubmitResult> {
    switch (m.type) {
      case 'operation':
        return this.write(m.collection, m.op, wait);
      case 'create_collection':
        return this.meta(() => {
          if (this.d.engine.has(m.name)) throw new CollectionExistsError(m.name);
          if (this.d.engine.aliases.has(m.name)) throw new WrongInputError(`Can't create collection with name ${m.name}. Alias with the same name already exists`, 'VECTOR_ALIAS_EXISTS');
          return { kind: 'create', name: m.name, config: m.config };
        });
      case 'delete_collection': {
        let existed = false;
        const r = await this.meta(() => {
          existed = this.d.engine.has(m.name);
          return existed ? { kind: 'delete', name: m.name } : undefined;
        });
        return { ...r, existed };
      }
      case 'aliases':
        return this.meta(() => {
          const actions = planAliases(this.d.engine, m.actions);
          return actions.length > 0 ? { kind: 'aliases', actions } : undefined;
        });
      case 'restore_collection': {
        const archive = await this.d.readArchive(m.file, m.checksum);
        return this.meta(() => {
          if (this.d.engine.aliases.has(m.name) && !this.d.engine.has(m.name)) throw new WrongInputError(`Can't create collection with name ${m.name}. Alias with the same name already exists`, 'VECTOR_ALIAS_EXISTS');
          return { kind: 'restore', name: m.name, archive };
        });
      }
    }
  }

  private async write(name: string, op: Operation, wait: boolean): Promise<SubmitResult> {
    while ((this.metaBusy > 0 || this.gate) && !this.deposed) await (this.gate ?? this.metaChain);
    if (this.deposed) throw new NotLeaderError();
    const { engine, log } = this.d;
    const real = engine.resolve(name);
    if (real === undefined) throw new CollectionNotFoundError(name);
    const c = engine.get(real);
    const inc = this.d.state.incarnation(real)?.inc ?? 0;
    const before = c.lastOperation;
    const applied = c.update(op, { wait });
    if (c.lastOperation === before) return { ...(await applied) }; // refused by the collection: its error
    const seq = log.lastSeq + 1;
    const entry: Entry = { kind: 'op', collection: real, inc, cop: before + 1, op };
    const durable = log.append(seq, this.epoch, encodeEntry(this.epoch, entry));
    this.d.marker.note(seq, entry, applied.then(() => undefined));
    const [result] = await Promise.all([applied, durable]);
    if (wait) {
      const wcf = Number(c.config.options.params['write_consistency_factor'] ?? 1) || 1;
      await this.replicated(seq, wcf);
    }
    return { operationId: result.operationId, status: result.status };
  }

  /** Checks, logs and applies a change of collections or aliases; answers once replicated. */
  private async meta(build: () => Entry | undefined): Promise<SubmitResult> {
    let seq = -1;
    const run = async () => {
      while (this.gate && !this.deposed) await this.gate;
      if (this.deposed) throw new NotLeaderError();
      this.metaBusy++;
      try {
        const entry = build();
        if (!entry) return;
        seq = this.d.log.lastSeq + 1;
        await this.d.log.append(seq, this.epoch, encodeEntry(this.epoch, entry));
        await this.d.applier.applyMeta({ seq, epoch: this.epoch, entry });
        this.d.marker.note(seq, entry);
      } finally {
        this.metaBusy--;
      }
    };
    const done = this.metaChain.then(run, run);
    this.metaChain = done.catch(() => undefined);
    await done;
    if (seq >= 0) await this.replicated(seq, 1);
    return { operationId: Math.max(0, seq), status: 'completed' };
  }

  /** Runs `task` while no change of collections or aliases is applied (transfer snapshots). */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    const done = this.metaChain.then(task, task);
    this.metaChain = done.then(
      () => undefined,
      () => undefined,
    );
    return done;
  }

  private replicated(seq: number, wcf: number): Promise<void> {
    const need = Math.max(Math.floor(this.followers.voters() / 2) + 1, wcf);
    if (need > this.followers.members()) return Promise.reject(new ReplicationUnavailableError(`write_consistency_factor ${wcf} exceeds the ${this.followers.members()} replicas of the set`));
    if (this.deposed) return Promise.reject(new LeadershipLostError(seq));
    if (this.followers.replicated(seq, need, Date.now())) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        seq,
        need,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((x) => x !== w);
          reject(new ReplicationTimeoutError(seq, `${this.followers.status(this.d.log.durableSeq, Date.now()).filter((f) => f.position >= seq).length + 1} of ${need} replicas needed have it`));
        }, this.d.settings().writeTimeoutMs),
      };
      this.waiters.push(w);
    });
  }

  /** Completes the waiters that are replicated enough (after every fetch, and on a timer as the in-sync set changes). */
  check(): void {
    if (this.waiters.length === 0) return;
    const now = Date.now();
    this.waiters = this.waiters.filter((w) => {
      if (!this.followers.replicated(w.seq, w.need, now)) return true;
      clearTimeout(w.timer);
      w.resolve();
      return false;
    });
  }

  // ---- followers ----

  /** A follower's fetch: its acknowledgement, then the records after it (waiting up to `waitMs` when there are none). */
  async fetch(followerId: string, req: FetchRequest): Promise<{ header: FetchHeader; records: StoredRecord[] }> {
    const { log } = this.d;
    const base = { epoch: this.epoch, logId: this.logId, end: log.durableSeq };
    const v = this.followers.get(followerId);
    if (!v) return { header: { ...base, status: 'stale', inSync: false, reason: `${followerId} is not a member of this replica set` }, records: [] };
    if (this.deposed) return { header: { ...base, status: 'stale', inSync: false, reason: 'this replica is no longer the leader' }, records: [] };
    if (req.epoch > this.epoch) {
      this.d.logger.warn({ follower: followerId, epoch: req.epoch, mine: this.epoch }, 'a follower knows a newer epoch: stepping down');
      this.depose();
      return { header: { ...base, status: 'stale', inSync: false, reason: `epoch ${req.epoch} is newer than this leader's ${this.epoch}` }, records: [] };
    }
    const prev = req.from - 1;
    const snapshot = (reason: string) => ({ header: { ...base, status: 'snapshot' as const, inSync: false, reason }, records: [] });
    if (req.logId !== this.logId) return snapshot(req.logId === '' ? 'new replica' : 'another log generation');
    if (prev > log.durableSeq) return snapshot(`position ${prev} is past the leader's log end ${log.durableSeq} (diverged)`);
    if (prev < log.startSeq - 1) return snapshot(`position ${prev} is no longer in the leader's log (it starts at ${log.startSeq})`);
    if (log.epochOf(prev) !== req.lastEpoch) return snapshot(`record ${prev} differs from the leader's (epoch ${req.lastEpoch}, the leader's ${log.epochOf(prev)})`);
    const now = Date.now();
    this.followers.acknowledged(v, req.from, log.durableSeq, now);
    this.check();
    let records = log.read(req.from, req.maxBytes);
    if (records.length === 0 && req.waitMs > 0) {
      v.parked++;
      v.caughtUpAt = Date.now();
      try {
        await log.waitBeyond(prev, req.waitMs, this.fetches.signal);
      } finally {
        v.parked--;
        v.caughtUpAt = Date.now();
      }
      records = this.deposed ? [] : log.read(req.from, req.maxBytes);
    }
    const end = log.durableSeq;
    const at = Date.now();
    this.followers.answered(v, end, at);
    return { header: { ...base, end, status: 'ok', inSync: this.followers.inSync(v, at), inSyncForMs: this.followers.inSyncFor(v, at) }, records };
  }

  // ---- hand-over ----

  /** Stops taking writes (they wait) so the followers can catch up; `drained` tells when they have. */
  drain(): void {
    if (this.draining) return;
    this.draining = true;
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }

  /** The hand-over was called off: writes go on. */
  resume(): void {
    if (!this.draining || this.deposed) return;
    this.draining = false;
    this.openGate?.();
    this.gate = undefined;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  get drained(): boolean {
    return this.draining && this.metaBusy === 0 && this.waiters.length === 0 && this.followers.allCaughtUp(this.d.log.durableSeq, Date.now());
  }

  /** No longer the leader: waiting writes fail (their outcome is unknown), new ones are forwarded. */
  depose(): void {
    if (this.deposed) return;
    this.deposed = true;
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(new LeadershipLostError(w.seq));
    }
    this.waiters = [];
    this.fetches.abort();
    this.openGate?.();
    this.gate = undefined;
  }

  get isDeposed(): boolean {
    return this.deposed;
  }

  status(): FollowerStatus[] {
    return this.followers.status(this.d.log.durableSeq, Date.now());
  }

  commitIndex(): number {
    return this.followers.commitIndex(this.d.log.durableSeq, Date.now());
  }

  close(): void {
    clearInterval(this.timer);
    this.depose();
  }
}
