import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ConflictError } from '../../core/errors.js';
import { errorMessage } from '../../core/errors.js';
import type { TlsIdentity } from '../../core/tls/index.js';
import type { Engine } from '../engine/engine.js';
import { WrongInputError } from '../errors.js';
import { sha256File } from '../snapshots/archive.js';
import type { Snapshots } from '../snapshots/snapshots.js';
import { AppliedMarker } from './applied-marker.js';
import { Applier } from './applier.js';
import { NotLeaderError, ReplicationUnavailableError } from './errors.js';
import { Follower } from './follower.js';
import { Leader } from './leader.js';
import { ReplicationLog } from './log.js';
import type { Mutation, SubmitOptions, SubmitResult } from './mutation.js';
import { LocalMutator, type Mutator } from './mutator.js';
import { PeerClient } from './peer-client.js';
import { recoverFromLog } from './recovery.js';
import { DEFAULT_SETTINGS, settingsFrom, type Settings } from './settings.js';
import { ReplicaStateFile, type PeerRef } from './state.js';
import { checkCollectionArchive, createTransfer, installTransfer } from './transfer-snapshot.js';
import type { Assignment, FetchHeader, FetchRequest, ReplicaRole, ReplicaStatus } from './wire.js';
import type { StoredRecord } from './log.js';

export interface ReplicaOptions {
  /** This replica's name (its identity's last segment). */
  id: string;
  dataDir: string;
  /** Started by an agent for the hub: wait for an assignment instead of serving alone. */
  managed: boolean;
  engine: Engine;
  identity: TlsIdentity;
  /** Address outgoing replication connections leave from (the listen address). */
  localAddress?: string;
  snapshots: () => Snapshots;
  logger: Logger;
}

/**
 * One replica of a replica set and its place in it. Holds the role the hub's controller assigned
 * (relayed by the agent): `standalone` (no replication: the API applies locally, as one replica
 * always did), `leader`, `follower`, `candidate` (an election runs: it stopped following and waits)
 * or `awaiting` (a managed replica before its first assignment). Persists what it must not forget
 * (`ReplicaStateFile`), replays its log at start, refuses assignments of an older epoch, and is the
 * API's `Mutator`: writes go to the leader's sequencer here, or are forwarded to the leader.
 */
export class Replica implements Mutator {
  readonly bootId = randomUUID();
  private role: ReplicaRole;
  private leader: Leader | undefined;
  private follower: Follower | undefined;
  private log: ReplicationLog | undefined;
  private settings: Settings = DEFAULT_SETTINGS;
  private assignment: Assignment | undefined;
  private dirty = false;
  private readyBeforeElection = false;
  private snapshotsInstalled = 0;
  private transitions: Promise<unknown> = Promise.resolve();
  private roleWaiters: Array<() => void> = [];
  private pins = new Map<number, number>();
  private readonly state: ReplicaStateFile;
  private readonly marker: AppliedMarker;
  private readonly applier: Applier;
  private readonly client: PeerClient;
  /** Calls to fellow replicas (forwarded requests use it too). */
  get peers(): PeerClient {
    return this.client;
  }
  private readonly local: LocalMutator;
  private readonly dir: string;
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  private constructor(private readonly o: ReplicaOptions) {
    this.dir = join(o.dataDir, 'replication');
    mkdirSync(this.dir, { recursive: true });
    this.state = new ReplicaStateFile(this.dir, o.managed ? 'none' : 'standalone');
    if (!o.managed && this.state.data.mode === 'none') this.state.data.mode = 'standalone';
    this.marker = new AppliedMarker(this.state.data.applied);
    this.applier = new Applier(o.engine, this.state, o.snapshots(), this.dir, o.logger);
    this.client = new PeerClient(o.identity, o.localAddress);
    this.local = new LocalMutator(o.engine, o.snapshots);
    this.role = this.state.data.mode === 'standalone' ? 'standalone' : this.state.data.mode === 'none' ? 'awaiting' : 'candidate';
    this.timer = setInterval(() => this.housekeeping(), 1000);
    this.timer.unref();
  }

  /** Opens the replica: a member replays its log (see `recoverFromLog`) and follows its last leader again. */
  static async open(o: ReplicaOptions): Promise<Replica> {
    const r = new Replica(o);
    if (r.state.data.mode === 'member') {
      if (r.state.data.installing) {
        o.logger.warn('a snapshot install was interrupted: this replica resyncs');
        r.state.update((d) => ((d.installing = false), (d.logId = '')));
      }
      r.log = r.openLog();
      if (r.state.data.logId !== '') {
        const { replayed, dirty } = await recoverFromLog(o.engine, r.log, r.state, r.applier, r.marker, o.logger);
        o.logger.info({ replayed, dirty, position: r.log.lastSeq, epoch: r.state.data.epoch }, 'replication log replayed');
        if (dirty) r.state.update((d) => (d.logId = ''));
        r.dirty = dirty;
      }
      const last = r.state.data.leader;
      if (last && last.id !== o.id) r.startFollower(last);
    }
    return r;
  }

  // ---- Mutator ----

  async submit(m: Mutation, options: SubmitOptions): Promise<SubmitResult> {
    const deadline = Date.now() + this.settings.leaderWaitMs;
    for (;;) {
      switch (this.role) {
        case 'standalone':
          return this.local.submit(m, options);
        case 'leader':
          return this.leader!.submit(m, options.wait);
        case 'follower':
          throw new NotLeaderError();
        default:
          await this.roleChange(deadline);
      }
    }
  }

  /** Where a write should be served: here, or at the leader (after an election, when one runs). */
  async writeTarget(): Promise<'local' | PeerRef> {
    const deadline = Date.now() + this.settings.leaderWaitMs;
    for (;;) {
      if (this.role === 'standalone' || this.role === 'leader') return 'local';
      if (this.role === 'follower' && this.follower) return this.follower.leader;
      await this.roleChange(deadline);
    }
  }

  /** Where a read should be served: here unless this replica is not ready and a leader can answer. */
  async readTarget(): Promise<'local' | PeerRef> {
    const deadline = Date.now() + this.settings.leaderWaitMs;
    for (;;) {
      if (this.role === 'awaiting') {
        await this.roleChange(deadline);
        continue;
      }
      if (this.role === 'follower' && this.follower && !this.follower.synced) return this.follower.leader;
      return 'local';
    }
  }

  /** Read-your-writes: waits until this replica has applied everything the leader has logged. */
  async catchUp(): Promise<void> {
    const f = this.follower;
    if (this.role !== 'follower' || !f) return;
    const { end } = await this.client.commit(f.leader, AbortSignal.timeout(5000));
    if (!(await f.waitApplied(end, this.settings.leaderWaitMs))) throw new ReplicationUnavailableError(`this replica did not catch up with the leader's position ${end} in time`);
  }

  private roleChange(deadline: number): Promise<void> {
    const left = deadline - Date.now();
    if (left <= 0 || this.closed) return Promise.reject(new ReplicationUnavailableError(this.role === 'awaiting' ? 'this replica has no assignment from the hub yet' : 'no leader was elected in time'));
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.min(left, 250));
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.roleWaiters.push(done);
    });
  }

  private roleChanged(): void {
    const waiters = this.roleWaiters;
    this.roleWaiters = [];
    for (const w of waiters) w();
  }

  // ---- assignments ----

  /** Applies the controller's assignment (relayed by the agent); answers the status. */
  async assign(a: Assignment): Promise<ReplicaStatus> {
    if (a.epoch < this.state.data.epoch) throw new ConflictError('VECTOR_STALE_ASSIGNMENT', `assignment epoch ${a.epoch} is older than this replica's epoch ${this.state.data.epoch}`);
    const run = () => this.apply(a);
    const done = this.transitions.then(run, run);
    this.transitions = done.catch(() => undefined);
    await done;
    return this.status();
  }

  private async apply(a: Assignment): Promise<void> {
    if (this.closed) return;
    this.assignment = a;
    this.settings = settingsFrom(a.settings);
    const self = this.o.id;
    if (a.mode === 'standalone') {
      if (this.role === 'standalone') return;
      await this.stopRole();
      await this.log?.close();
      this.log = undefined;
      this.state.update((d) => Object.assign(d, { mode: 'standalone', logId: '', epoch: a.epoch, leader: null }));
      this.setRole('standalone');
      this.o.logger.info({ epoch: a.epoch }, 'replica serves alone (standalone)');
      return;
    }
    if (this.state.data.mode !== 'member') {
      // Joining a replica set: a standalone replica's data follows no log yet.
      this.state.update((d) => Object.assign(d, { mode: 'member', logId: '', epoch: a.epoch, base: { seq: 0, epoch: a.epoch }, epochs: [], applied: { seq: 0, cops: {} } }));
      this.log = this.openLog(true);
      this.marker.reset(this.state.data.applied);
    }
    if (a.epoch > this.state.data.epoch) this.state.update((d) => (d.epoch = a.epoch));
    const leaderRef = a.leader ?? null;
    if (a.role === 'leader' && leaderRef?.id === self) {
      if (this.role === 'leader' && this.leader && this.leader.epoch === a.epoch && !this.leader.isDeposed) {
        this.leader.setMembers(a.members.filter((m) => m.id !== self));
        if (a.drain) this.leader.drain();
        else this.leader.resume();
        return;
      }
      await this.stopRole();
      this.becomeLeader(a);
    } else if (a.role === 'follower' && leaderRef && leaderRef.id !== self) {
      const f = this.follower;
      if (this.role === 'follower' && f && f.leader.id === leaderRef.id && f.leader.url === leaderRef.url) return;
      await this.stopRole();
      this.startFollower(leaderRef);
    } else {
      if (this.role === 'candidate') return;
      this.readyBeforeElection = this.ready().ready;
      await this.stopRole();
      this.setRole('candidate');
      this.o.logger.info({ epoch: a.epoch }, 'election running: stopped following, waiting for the new leader');
    }
    if (leaderRef) this.state.update((d) => (d.leader = leaderRef));
  }

  private becomeLeader(a: Assignment): void {
    const self = this.o.id;
    let log = this.log!;
    if (this.dirty || this.state.data.logId === '') {
      // Start a new log generation from this replica's data: every follower copies it by snapshot.
      const base = { seq: log.lastSeq, epoch: a.epoch };
      const cops: Record<string, number> = {};
      for (const name of this.o.engine.names()) Object.defineProperty(cops, name, { value: this.o.engine.get(name).lastOperation, enumerable: true });
      log.closeNow();
      this.state.update((d) => Object.assign(d, { logId: randomUUID(), base, epochs: [], applied: { seq: base.seq, cops } }));
      log = this.log = this.openLog(true);
      this.marker.reset(this.state.data.applied);
      this.dirty = false;
    }
    this.leader = new Leader(
      {
        engine: this.o.engine,
        log,
        state: this.state,
        applier: this.applier,
        marker: this.marker,
        logger: this.o.logger,
        settings: () => this.settings,
        readArchive: (file, checksum) => this.readArchive(file, checksum),
      },
      a.epoch,
      this.state.data.logId,
      a.members.filter((m) => m.id !== self),
    );
    if (a.drain) this.leader.drain();
    this.state.update((d) => (d.leader = a.leader ?? null));
    this.setRole('leader');
    this.o.logger.info({ epoch: a.epoch, logId: this.state.data.logId, position: log.lastSeq, members: a.members.map((m) => m.id) }, 'replica leads its replica set');
  }

  private startFollower(leader: PeerRef): void {
    this.follower = new Follower(
      {
        client: this.client,
        applier: this.applier,
        marker: this.marker,
        logger: this.o.logger,
        settings: () => this.settings,
        log: () => this.log!,
        logId: () => this.state.data.logId,
        epoch: () => this.state.data.epoch,
        resync: (l, signal) => this.resync(l, signal),
        adoptEpoch: (epoch) => this.state.update((d) => (d.epoch = Math.max(d.epoch, epoch))),
      },
      leader,
    );
    this.setRole('follower');
    this.o.logger.info({ leader: leader.id, epoch: this.state.data.epoch }, 'replica follows its leader');
  }

  private async stopRole(): Promise<void> {
    if (this.leader) {
      this.leader.close();
      this.leader = undefined;
    }
    if (this.follower) {
      const f = this.follower;
      this.follower = undefined;
      this.snapshotsInstalled += f.snapshotsInstalled;
      await f.stop();
    }
  }

  private setRole(role: ReplicaRole): void {
    this.role = role;
    this.roleChanged();
  }

  // ---- snapshots ----

  private async resync(leader: PeerRef, signal: AbortSignal): Promise<void> {
    const incoming = join(this.dir, 'incoming');
    rmSync(incoming, { recursive: true, force: true });
    mkdirSync(incoming, { recursive: true });
    const file = join(incoming, 'transfer.tar');
    try {
      await this.client.snapshot(leader, file, signal);
      this.state.update((d) => (d.installing = true));
      this.log?.closeNow();
      const info = await installTransfer(this.o.engine, file, incoming);
      const cops: Record<string, number> = {};
      for (const name of this.o.engine.names()) Object.defineProperty(cops, name, { value: this.o.engine.get(name).lastOperation, enumerable: true });
      this.state.update((d) =>
        Object.assign(d, { logId: info.logId, base: { seq: info.position, epoch: info.epoch }, epochs: [], applied: { seq: info.position, cops }, incarnations: info.incarnations, installing: false }),
      );
      this.log = this.openLog(true);
      this.marker.reset(this.state.data.applied);
      this.dirty = false;
      this.o.logger.info({ leader: leader.id, position: info.position, collections: Object.keys(info.collections).length }, 'snapshot of the leader installed');
    } finally {
      rmSync(incoming, { recursive: true, force: true });
    }
  }

  /** The leader's side: a snapshot of everything applied, with the log position it continues from. */
  async transferSnapshot(): Promise<{ file: string; done: () => void }> {
    const leader = this.leader;
    const log = this.log;
    if (this.role !== 'leader' || !leader || !log) throw new NotLeaderError();
    return leader.exclusive(async () => {
      const position = log.lastSeq;
      while (log.durableSeq < position) await log.waitBeyond(log.durableSeq, 1000);
      this.pins.set(position, Date.now());
      const made = await createTransfer(this.o.engine, { logId: this.state.data.logId, position, epoch: log.epochOf(position) ?? this.state.data.epoch, incarnations: this.state.data.incarnations }, join(this.dir, 'outgoing'));
      return { file: made.file, done: () => rmSync(made.dir, { recursive: true, force: true }) };
    });
  }

  private async readArchive(file: string, checksum: string | undefined): Promise<Buffer> {
    if (checksum !== undefined) {
      const actual = await sha256File(file);
      if (actual !== checksum.toLowerCase()) throw new WrongInputError(`Snapshot checksum mismatch: expected ${checksum}, got ${actual}`, 'VECTOR_SNAPSHOT_CHECKSUM');
    }
    await checkCollectionArchive(file, this.dir);
    return readFileSync(file);
  }

  // ---- peers ----

  async fetch(follower: string, req: FetchRequest): Promise<{ header: FetchHeader; records: StoredRecord[] }> {
    const leader = this.leader;
    if (this.role !== 'leader' || !leader) {
      return { header: { status: 'stale', epoch: this.state.data.epoch, logId: this.state.data.logId, end: this.log?.durableSeq ?? 0, inSync: false, reason: `${this.o.id} is not the leader (${this.role})` }, records: [] };
    }
    const answer = await leader.fetch(follower, req);
    const v = leader.followers.get(follower);
    if (v) for (const [pos] of this.pins) if (v.position >= pos) this.pins.delete(pos);
    return answer;
  }

  commit(): { epoch: number; end: number } {
    if (this.role !== 'leader' || !this.log) throw new NotLeaderError();
    return { epoch: this.state.data.epoch, end: this.log.durableSeq };
  }

  // ---- status ----

  ready(): { ready: boolean; detail: string } {
    switch (this.role) {
      case 'standalone':
        return { ready: true, detail: 'serving alone' };
      case 'awaiting':
        return { ready: false, detail: 'waiting for an assignment from the hub' };
      case 'leader':
        return this.leader?.isDeposed ? { ready: false, detail: 'deposed leader' } : { ready: true, detail: 'leader' };
      case 'candidate':
        return { ready: this.readyBeforeElection, detail: 'election running' };
      case 'follower':
        return this.follower?.ready() ?? { ready: false, detail: 'no leader' };
    }
  }

  status(): ReplicaStatus {
    const log = this.log;
    const position = log ? (this.role === 'leader' ? log.durableSeq : log.lastSeq) : 0;
    const r = this.ready();
    const s: ReplicaStatus = {
      id: this.o.id,
      bootId: this.bootId,
      set: this.assignment?.set ?? null,
      mode: this.state.data.mode,
      role: this.role,
      epoch: this.state.data.epoch,
      logId: this.state.data.logId,
      leader: this.role === 'leader' ? this.o.id : (this.follower?.leader.id ?? null),
      position,
      lastEpoch: log?.epochOf(position) ?? 0,
      logStart: log?.startSeq ?? 0,
      lag: this.follower?.lag ?? 0,
      inSync: this.role === 'leader' || this.role === 'standalone' || (this.follower?.synced ?? false),
      ready: r.ready,
      detail: r.detail,
      dirty: this.dirty,
      drained: this.leader?.drained ?? false,
      snapshotsInstalled: this.snapshotsInstalled + (this.follower?.snapshotsInstalled ?? 0),
    };
    if (this.leader) s.followers = this.leader.status();
    return s;
  }

  // ---- housekeeping ----

  private openLog(fresh = false): ReplicationLog {
    const options = {
      segmentBytes: this.settings.segmentBytes,
      base: this.state.data.base,
      epochs: this.state.data.epochs,
      logger: this.o.logger,
      onNewEpoch: (e: { epoch: number; start: number }) => this.state.update((d) => void d.epochs.push(e)),
    };
    const dir = join(this.dir, 'log');
    return fresh ? ReplicationLog.create(dir, options) : ReplicationLog.open(dir, options);
  }

  /** Persists the applied marker and lets go of log segments the retention no longer needs. */
  private housekeeping(): void {
    const log = this.log;
    if (!log || this.closed) return;
    try {
      const m = this.marker.marker(log.durableSeq);
      if (m.seq > this.state.data.applied.seq) this.state.update((d) => (d.applied = m));
      const now = Date.now();
      for (const [pos, at] of this.pins) if (now - at > 300_000) this.pins.delete(pos);
      let keepFrom = Math.min(log.lastSeq - this.settings.retainRecords + 1, this.state.data.applied.seq + 1);
      for (const pos of this.pins.keys()) keepFrom = Math.min(keepFrom, pos + 1);
      if (keepFrom > log.startSeq) log.truncateBefore(keepFrom);
    } catch (err) {
      this.o.logger.warn({ err: errorMessage(err) }, 'replication housekeeping failed');
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.roleChanged();
    await this.transitions.catch(() => undefined);
    await this.stopRole();
    if (this.log) {
      const m = this.marker.marker(this.log.durableSeq);
      if (m.seq > this.state.data.applied.seq) this.state.update((d) => (d.applied = m));
      await this.log.close().catch(() => undefined);
    }
    await this.client.close();
  }
}
