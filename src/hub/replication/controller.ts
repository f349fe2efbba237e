import type { Logger } from '../../core/log.js';
import { chooseLeader } from './election.js';
import { parseReport, type ReplicaReport } from './report.js';
import { controllerSettings } from './settings.js';
import type { SetState, SetStore } from './set-store.js';
import type { ReplicationView } from './view.js';

export type { ReplicationView, ReplicaView, ReplicaSetView } from './view.js';

/** A desired instance of an embedded service (a slot), as the deployer has it. */
export interface ReplicaSlot {
  id: string;
  stack: string;
  service: string;
  slot: number;
  retiring: boolean;
  /** Leaving the routers' feed before a restart (a rolling update) or a removal. */
  draining: boolean;
}

/** Where an instance runs, as its agent reports it. */
export interface ReplicaInstance {
  url: string | null;
  identity: string;
  state: string;
  agent: string | null;
}

export interface ControllerDeps {
  slots(): ReplicaSlot[];
  instance(id: string): ReplicaInstance | undefined;
  labels(stack: string, service: string): Record<string, string>;
  store: SetStore;
  logger: Logger;
}

/** The assignment sent to one replica (the replica's `PUT /phoenix/replication/assignment` body). */
export interface Assignment {
  set: string;
  mode: 'standalone' | 'member';
  epoch: number;
  role?: 'leader' | 'follower' | 'candidate';
  leader?: { id: string; url: string; identity: string } | null;
  members: Array<{ id: string; joining: boolean }>;
  drain: boolean;
  settings: Record<string, number>;
}

const REPORT_TTL_MS = 10_000;
/** Instance states meaning the process is not there (its agent restarts it, or will). */
const DOWN = new Set(['starting', 'backoff', 'stopped', 'failed']);

/**
 * The hub's replication controller: one replica set per embedded service. A service with one
 * replica runs it standalone; with more, one leads and the others follow. The controller watches
 * the replicas' reports (relayed by their agents with every sync) and:
 * - turns a standalone replica into the leader when the service is scaled up (new replicas join,
 *   copy it by snapshot, and vote once caught up), and back to standalone when scaled to one;
 * - hands leadership over (drain, then election) when the leader's slot is retired;
 * - replaces a leader that restarted (it lost its in-sync bookkeeping) or stayed unreachable past
 *   `failover-after`: a new epoch fences the old leader, every member stops following, and the
 *   fenced member with the most of the log is elected (`chooseLeader`).
 * Assignments go back to the agents in their sync answers, and the agents relay them.
 */
export class ReplicationController {
  private readonly reports = new Map<string, { report: ReplicaReport; at: number; agent: string }>();
  private readonly down = new Map<string, number>();

  constructor(private readonly d: ControllerDeps) {}

  /** Records the replication reports an agent's sync carries. */
  observe(agent: string, instances: ReadonlyArray<{ id: string; replication?: unknown }>, now = Date.now()): void {
    for (const i of instances) {
      if (i.replication === undefined) continue;
      const report = parseReport(i.replication);
      if (report) this.reports.set(i.id, { report, at: now, agent });
    }
  }

  /** The agent's sync: its reports in, a fresh decision, its replicas' assignments out. */
  answer<A extends { instances: ReadonlyArray<{ id: string }> }>(agent: string, reported: ReadonlyArray<{ id: string; replication?: unknown }>, answer: A, now = Date.now()): A & { replication: Record<string, Assignment> } {
    this.observe(agent, reported, now);
    this.tick(now);
    const all = this.assignments();
    const replication: Record<string, Assignment> = {};
    for (const i of answer.instances) {
      const a = all.get(i.id);
      if (a) replication[i.id] = a;
    }
    return { ...answer, replication };
  }

  /** Re-decides every replica set (after syncs and on a timer). */
  tick(now = Date.now()): void {
    for (const [key, slots] of this.groups()) {
      const members = slots.filter((s) => !s.retiring).map((s) => s.id);
      if (members.length === 0) continue;
      const first = slots[0]!;
      const settings = controllerSettings(this.d.labels(first.stack, first.service));
      const st = this.d.store.get(key, now);
      const before = JSON.stringify(st);
      const leaving = new Set(slots.filter((s) => s.retiring || s.draining).map((s) => s.id));
      this.decide(key, st, members, leaving, settings, now);
      if (JSON.stringify(st) !== before) this.d.logger.info({ set: key, phase: st.phase, epoch: st.epoch, leader: st.leader, joining: st.joining }, 'replica set changed');
    }
    this.d.store.save();
  }

  private decide(key: string, st: SetState, members: string[], leaving: ReadonlySet<string>, settings: ReturnType<typeof controllerSettings>, now: number): void {
    const rep = (id: string) => this.report(id, now);
    switch (st.phase) {
      case 'standalone': {
        if (members.length === 1) {
          st.leader = members[0]!;
          return;
        }
        const leader = st.leader !== null && members.includes(st.leader) ? st.leader : (members.find((id) => rep(id)?.mode === 'standalone') ?? members[0]!);
        Object.assign(st, { epoch: st.epoch + 1, phase: 'stable', leader, leaderBoot: null, logId: null, joining: members.filter((id) => id !== leader), since: now, previousLeader: null });
        return;
      }
      case 'stable': {
        const leader = st.leader;
        if (leader === null) return this.elect(st, now);
        if (!members.includes(leader) || (leaving.has(leader) && members.length > 1)) {
          // Retired, or about to be restarted by a rolling update: hand the lead over first.
          Object.assign(st, { phase: 'draining', since: now });
          return;
        }
        const r = rep(leader);
        const leading = r !== undefined && r.role === 'leader' && r.epoch === st.epoch && (st.leaderBoot === null || r.bootId === st.leaderBoot);
        if (leading) {
          this.down.delete(key);
          st.leaderBoot ??= r.bootId;
          if (r.logId !== '') st.logId = r.logId;
          const inSync = new Set((r.followers ?? []).filter((f) => f.inSync).map((f) => f.id));
          st.joining = st.joining.filter((id) => members.includes(id) && !inSync.has(id));
          if (members.length === 1) Object.assign(st, { epoch: st.epoch + 1, phase: 'standalone', joining: [], since: now });
          return;
        }
        // A leader that restarted lost its in-sync bookkeeping; one whose process is gone will come
        // back as a follower: either way a new leader is elected now. One that merely does not
        // answer is given `failover-after`.
        const restarted = r !== undefined && st.leaderBoot !== null && r.bootId !== st.leaderBoot;
        const exited = DOWN.has(this.d.instance(leader)?.state ?? '') && st.leaderBoot !== null;
        const since = this.down.get(key) ?? now;
        this.down.set(key, since);
        if (restarted || exited || now - Math.max(since, st.since) >= settings.failoverAfterMs) {
          const why = restarted ? 'the leader restarted' : exited ? 'the leader’s process is gone' : 'the leader is unreachable';
          this.d.logger.warn({ set: key, leader, epoch: st.epoch, downForMs: now - since }, `${why}: electing a new one`);
          this.down.delete(key);
          this.elect(st, now);
        }
        return;
      }
      case 'draining': {
        const r = st.leader === null ? undefined : rep(st.leader);
        const done = r?.drained === true && r.epoch === st.epoch;
        if (done || r === undefined || now - st.since >= settings.drainTimeoutMs) this.elect(st, now);
        return;
      }
      case 'electing': {
        const fenced = new Map<string, ReplicaReport>();
        for (const id of members) {
          const r = rep(id);
          if (r && r.epoch === st.epoch && r.role === 'candidate') fenced.set(id, r);
        }
        let eligible = members.filter((id) => this.d.instance(id)?.state === 'running' && !leaving.has(id));
        if (eligible.length === 0) eligible = members.filter((id) => this.d.instance(id)?.state === 'running');
        const choice = chooseLeader({ eligible, members, fenced, logId: st.logId, previousLeader: st.previousLeader, timedOut: now - st.since >= settings.electionWaitMs });
        if (choice === undefined) return;
        const r = fenced.get(choice)!;
        const sameLog = (id: string) => fenced.get(id)?.logId === r.logId && r.logId !== '' && !r.dirty;
        Object.assign(st, {
          phase: 'stable',
          leader: choice,
          leaderBoot: r.bootId,
          logId: r.logId !== '' && !r.dirty ? r.logId : null,
          joining: members.filter((id) => id !== choice && (st.joining.includes(id) || (fenced.has(id) && !sameLog(id)))),
          since: now,
        });
        this.d.logger.info({ set: key, leader: choice, epoch: st.epoch, position: r.position }, 'new leader elected');
        return;
      }
    }
  }

  private elect(st: SetState, now: number): void {
    Object.assign(st, { previousLeader: st.leader, leader: null, leaderBoot: null, epoch: st.epoch + 1, phase: 'electing', since: now });
  }

  /** Every replica's assignment now. */
  assignments(): Map<string, Assignment> {
    const out = new Map<string, Assignment>();
    for (const [key, slots] of this.groups()) {
      const st = this.d.store.peek(key);
      if (!st) continue;
      const first = slots[0]!;
      const settings = controllerSettings(this.d.labels(first.stack, first.service)).replica;
      const members = slots.filter((s) => !s.retiring).map((s) => ({ id: s.id, joining: st.joining.includes(s.id) }));
      const base = { set: key, epoch: st.epoch, members, drain: false, settings };
      if (st.phase === 'standalone') {
        if (st.leader !== null) out.set(st.leader, { ...base, mode: 'standalone', members: [] });
        continue;
      }
      if (st.phase === 'electing' || st.leader === null) {
        for (const s of slots) out.set(s.id, { ...base, mode: 'member', role: 'candidate', leader: null });
        continue;
      }
      const view = this.d.instance(st.leader);
      if (!view?.url) continue;
      const leader = { id: st.leader, url: view.url, identity: view.identity };
      for (const s of slots) {
        out.set(s.id, s.id === st.leader ? { ...base, mode: 'member', role: 'leader', leader, drain: st.phase === 'draining' } : { ...base, mode: 'member', role: 'follower', leader });
      }
      if (!slots.some((s) => s.id === st.leader)) out.set(st.leader, { ...base, mode: 'member', role: 'leader', leader, drain: true });
    }
    return out;
  }

  /** The replica sets and their replicas, for the API, the console and `phoenix status`. */
  view(now = Date.now()): ReplicationView {
    const sets: ReplicationView['sets'] = [];
    for (const [key, slots] of this.groups()) {
      const st = this.d.store.peek(key);
      sets.push({
        set: key,
        phase: st?.phase ?? 'standalone',
        epoch: st?.epoch ?? 0,
        leader: st?.leader ?? null,
        logId: st?.logId ?? null,
        replicas: slots.map((s) => {
          const held = this.reports.get(s.id);
          const r = held?.report;
          const view = this.d.instance(s.id);
          return {
            id: s.id,
            agent: view?.agent ?? null,
            state: view?.state ?? 'pending',
            retiring: s.retiring,
            joining: st?.joining.includes(s.id) ?? false,
            role: r?.role ?? null,
            epoch: r?.epoch ?? null,
            position: r?.position ?? null,
            logStart: r?.logStart ?? null,
            lag: r?.lag ?? null,
            inSync: r?.inSync ?? null,
            ready: r?.ready ?? null,
            detail: r?.detail ?? null,
            dirty: r?.dirty ?? false,
            followers: r?.followers ?? null,
            snapshotsInstalled: r?.snapshotsInstalled ?? 0,
            reportedMsAgo: held ? now - held.at : null,
          };
        }),
      });
    }
    return { sets };
  }

  private report(id: string, now: number): ReplicaReport | undefined {
    const held = this.reports.get(id);
    if (!held || now - held.at > REPORT_TTL_MS) return undefined;
    if (this.d.instance(id)?.state !== 'running') return undefined;
    return held.report;
  }

  private groups(): Map<string, ReplicaSlot[]> {
    const out = new Map<string, ReplicaSlot[]>();
    for (const s of this.d.slots()) {
      const key = `${s.stack}/${s.service}`;
      const list = out.get(key) ?? [];
      list.push(s);
      out.set(key, list);
    }
    for (const list of out.values()) list.sort((a, b) => a.slot - b.slot);
    return out;
  }
}
