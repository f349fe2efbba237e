import type { Deployer, DesiredSlot, SlotHealth } from './deploy/deployer.js';
import type { Revocations } from './certs/revocations.js';
import type { RuntimeSpec } from './stacks/instances.js';
import { parseInstanceId, vectorIdentity } from './stacks/instances.js';
import type { Runtime } from './stacks/schema.js';
import type { AgentRecord, AgentStore, HostFacts } from './store/agents.js';
import type { HealthState, InstanceReport, InstanceStore, ReportedState } from './store/instances.js';
import type { InstanceFields } from './instance-fields.js';
import { assignInstances } from './scheduling/assignment.js';
import { agentLiveness, type Liveness, type LivenessPolicy } from './scheduling/liveness.js';

/** What an agent says about itself on every sync. */
export interface AgentReport {
  name: string;
  version: string;
  advertiseAddress: string;
  syncIntervalMs?: number | undefined;
  host: HostFacts;
}

/** What an agent says about one instance it runs. */
export interface ReportedInstance {
  id: string;
  state: ReportedState;
  pid?: number | undefined;
  url?: string | undefined;
  restarts: number;
  startedAt?: number | undefined;
  specHash?: string | undefined;
  health?: { status: HealthState; detail: string; checkedAt?: number | undefined } | undefined;
  origin?: 'hub' | 'found' | undefined;
  runtime?: string | undefined;
  spec?: Record<string, unknown> | undefined;
  lastExit?: { code: number | null; signal: string | null; at: number } | undefined;
}

/** An instance an agent should run. */
export interface DesiredInstance {
  id: string;
  stack: string;
  service: string;
  runtime: Runtime;
  identity: string;
  specHash: string;
  spec: RuntimeSpec;
}

/** The hub's answer to a sync: what to run, and which unmanaged instances to leave running. */
export interface SyncAnswer {
  instances: DesiredInstance[];
  keep: string[];
}

/** `pending`: not assigned or not reported yet; `unknown`: its agent stopped syncing. */
export type InstanceState = ReportedState | 'pending' | 'unknown';

export type InstanceView = InstanceFields<number, InstanceState, HealthState>;

export interface AgentCondition {
  healthy: boolean;
  /** Why it is unreachable or unhealthy, or how it syncs when healthy. */
  detail: string;
  silentForMs: number;
}

export interface AgentView extends AgentRecord {
  liveness: AgentCondition;
}

export interface Backend {
  id: string;
  url: string;
  identity: string;
}

export interface ExternalBackend {
  id: string;
  url: string;
  ca: string;
  serverName?: string;
}

export interface FleetOptions {
  agents: AgentStore;
  instances: InstanceStore;
  deployer: Deployer;
  revocations: Revocations;
  trustDomain: string;
  liveness: LivenessPolicy;
  reassignAfterMs: number;
}

/**
 * The agents, the instances they run, and which agent should run which instance. Agents' syncs feed
 * it; the console, the status page, the deployer and the routers' discovery feed read it.
 */
export class Fleet {
  constructor(private readonly o: FleetOptions) {}

  /** Records an agent's sync and answers with the instances it should run. */
  sync(agent: AgentReport, reports: readonly ReportedInstance[], cert: { serial: string | null; notAfter: number | null } = { serial: null, notAfter: null }, now = Date.now()): SyncAnswer {
    this.o.agents.heartbeat({ ...agent, syncIntervalMs: agent.syncIntervalMs ?? null, certSerial: cert.serial, certNotAfter: cert.notAfter }, now);
    this.o.instances.replaceReports(
      agent.name,
      reports.map((r) => ({
        id: r.id,
        agent: agent.name,
        state: r.state,
        pid: r.pid ?? null,
        url: r.url ?? null,
        restarts: r.restarts,
        startedAt: r.startedAt ?? null,
        lastReportAt: now,
        extra: compact({ specHash: r.specHash, health: r.health && compact({ ...r.health }), origin: r.origin, runtime: r.runtime, spec: r.spec, lastExit: r.lastExit }),
      })),
    );
    this.reschedule(now);
    this.o.deployer.tick(now);
    const slots = new Set(this.o.deployer.desired().map((d) => d.slot.instanceId));
    const keep = reports.filter((r) => r.origin === 'found' && !slots.has(r.id)).map((r) => r.id);
    return { instances: this.desiredFor(agent.name), keep };
  }

  /** Recomputes assignments from the slots and agents (after a sync or a deployment). */
  reschedule(now = Date.now()): void {
    const agents = this.agents(now).map((a) => ({ name: a.name, healthy: a.liveness.healthy, silentForMs: a.liveness.silentForMs }));
    const desired = this.o.deployer.desired().map((d) => d.spec);
    const current = this.o.instances.assignments();
    // An instance nobody runs yet goes to the agent that reports it running (its data is there).
    const assigned = new Set(current.map((a) => a.instanceId));
    for (const r of this.o.instances.reports()) {
      const spec = desired.find((d) => d.id === r.id);
      if (spec && !assigned.has(r.id)) {
        current.push({ instanceId: r.id, stack: spec.stack, service: spec.service, agent: r.agent, assignedAt: now });
        assigned.add(r.id);
      }
    }
    this.o.instances.setAssignments(assignInstances({ desired, agents, current, now, reassignAfterMs: this.o.reassignAfterMs }));
  }

  /** Pins an instance to an agent (adoption: its data is there). */
  pin(instanceId: string, agent: string, now = Date.now()): void {
    const parts = parseInstanceId(instanceId);
    const rest = this.o.instances.assignments().filter((a) => a.instanceId !== instanceId);
    this.o.instances.setAssignments([...rest, { instanceId, stack: parts?.stack ?? '', service: parts?.service ?? '', agent, assignedAt: now }]);
  }

  desiredFor(agent: string): DesiredInstance[] {
    const slots = new Map(this.o.deployer.desired().map((d) => [d.slot.instanceId, d]));
    return this.o.instances.assignments().flatMap((a) => {
      const d = slots.get(a.instanceId);
      if (a.agent !== agent || !d) return [];
      const { spec, slot } = d;
      return [{ id: spec.id, stack: spec.stack, service: spec.service, runtime: spec.runtime, identity: vectorIdentity(this.o.trustDomain, spec.id), specHash: slot.specHash, spec: spec.spec }];
    });
  }

  /** The runtime spec an agent reports for an instance it found. */
  foundSpec(instanceId: string, agent: string): Record<string, unknown> | undefined {
    return this.o.instances.reports().find((r) => r.id === instanceId && r.agent === agent)?.extra.spec;
  }

  /** True when `agent` reports `instanceId` as found on its disk and no stack asks for it (it may get a certificate to run). */
  unmanagedOn(agent: string, instanceId: string): boolean {
    if (this.o.deployer.desired().some((d) => d.slot.instanceId === instanceId)) return false;
    return this.o.instances.reports().some((r) => r.id === instanceId && r.agent === agent && r.extra.origin === 'found');
  }

  /** The agent an instance is assigned to, if any. */
  assignedAgent(instanceId: string): string | undefined {
    return this.o.instances.assignments().find((a) => a.instanceId === instanceId)?.agent;
  }

  agent(name: string): AgentRecord | undefined {
    return this.o.agents.get(name);
  }

  agents(now = Date.now()): AgentView[] {
    return this.o.agents.list().map((a) => ({ ...a, liveness: this.condition(a, agentLiveness(a, this.o.liveness, now), now) }));
  }

  refused(name: string, reason: string, cert?: { serial: string; notAfter: number }): void {
    this.o.agents.refused(name, reason, Date.now(), cert);
  }

  /** Forgets an agent; its instances are assigned elsewhere. */
  removeAgent(name: string): boolean {
    const removed = this.o.agents.delete(name);
    this.o.instances.forgetAgent(name);
    this.o.instances.setAssignments(this.o.instances.assignments().filter((a) => a.agent !== name));
    this.reschedule();
    return removed;
  }

  /** How an instance is doing, for the deployer. */
  health(instanceId: string, now = Date.now()): SlotHealth | undefined {
    const view = this.instances(now).find((v) => v.id === instanceId && v.desired);
    const report = view?.agent ? this.o.instances.reports().find((r) => r.id === instanceId && r.agent === view.agent) : undefined;
    if (!view || !report) return undefined;
    return { state: view.state, specHash: report.extra.specHash ?? null, healthy: view.state === 'running' && view.health === 'healthy', detail: view.healthDetail };
  }

  instances(now = Date.now()): InstanceView[] {
    const agentViews = this.agents(now);
    const healthyAgent = new Map(agentViews.map((a) => [a.name, a.liveness.healthy]));
    const assignments = new Map(this.o.instances.assignments().map((a) => [a.instanceId, a.agent]));
    const reports = this.o.instances.reports();
    const shown = new Set<InstanceReport>();
    const views: InstanceView[] = [];
    const slotIds = new Set<string>();
    for (const d of this.o.deployer.desired()) {
      const id = d.slot.instanceId;
      slotIds.add(id);
      const agent = assignments.get(id) ?? null;
      const report = agent === null ? undefined : reports.find((r) => r.id === id && r.agent === agent);
      if (report) shown.add(report);
      const state: InstanceState = agent === null ? 'pending' : healthyAgent.get(agent) !== true ? 'unknown' : (report?.state ?? 'pending');
      views.push(this.view(d, agent, state, report));
    }
    for (const report of reports) {
      if (shown.has(report)) continue;
      const parts = parseInstanceId(report.id);
      const state = healthyAgent.get(report.agent) ? report.state : 'unknown';
      const unmanaged = report.extra.origin === 'found' && !slotIds.has(report.id);
      views.push({
        ...this.base(report.id, parts?.stack ?? '', parts?.service ?? report.id, report.agent, state, report),
        runtime: report.extra.runtime ?? null,
        desired: false,
        unmanaged,
      });
    }
    return views;
  }

  /** Running, reachable replicas per `<stack>/<service>`: reported running and up to date by a healthy agent, not draining. */
  backends(now = Date.now()): { internal: Map<string, Backend[]>; external: Map<string, ExternalBackend[]> } {
    const internal = new Map<string, Backend[]>();
    const external = new Map<string, ExternalBackend[]>();
    const specs = new Map(this.o.deployer.desired().map((d) => [d.slot.instanceId, d]));
    for (const v of this.instances(now)) {
      const d = specs.get(v.id);
      if (!v.desired || !v.routed || !v.url || !d) continue;
      const key = `${v.stack}/${v.service}`;
      if (d.spec.runtime === 'external' && d.spec.spec.endpoint) {
        const e = d.spec.spec.endpoint;
        push(external, key, { id: v.id, url: e.url, ca: e.ca, ...(e.serverName !== undefined ? { serverName: e.serverName } : {}) });
      } else {
        push(internal, key, { id: v.id, url: v.url, identity: v.identity });
      }
    }
    return { internal, external };
  }

  private condition(a: AgentRecord, l: Liveness, now: number): AgentCondition {
    const since = new Date(a.lastHeartbeatAt).toISOString();
    if (a.certSerial && this.o.revocations.isRevoked(a.certSerial)) {
      return { healthy: false, detail: `unreachable: its certificate (serial ${a.certSerial}) was revoked; last heartbeat ${since}`, silentForMs: l.silentForMs };
    }
    if (a.refusedAt !== null && a.refusedAt >= a.lastHeartbeatAt && a.refusedReason) {
      return { healthy: false, detail: `unreachable: ${a.refusedReason}; last accepted heartbeat ${since}`, silentForMs: l.silentForMs };
    }
    if (l.healthy) return { healthy: true, detail: l.detail, silentForMs: l.silentForMs };
    const expired = a.certNotAfter !== null && a.certNotAfter <= now ? `; its certificate expired at ${new Date(a.certNotAfter).toISOString()}` : '';
    return { healthy: false, detail: `unreachable: no heartbeat since ${since} (${l.detail})${expired}`, silentForMs: l.silentForMs };
  }

  private view(d: DesiredSlot, agent: string | null, state: InstanceState, report: InstanceReport | undefined): InstanceView {
    const base = this.base(d.slot.instanceId, d.slot.stack, d.slot.service, agent, state, report);
    const upToDate = report !== undefined && (report.extra.specHash === undefined || report.extra.specHash === d.slot.specHash);
    return {
      ...base,
      runtime: d.spec.runtime,
      version: d.slot.version,
      upToDate,
      routed: d.routable && state === 'running' && upToDate && base.health !== 'unhealthy',
      draining: d.slot.drainingSince !== null && !d.slot.retiring,
      retiring: d.slot.retiring,
      desired: true,
      unmanaged: false,
    };
  }

  private base(id: string, stack: string, service: string, agent: string | null, state: InstanceState, report: InstanceReport | undefined): InstanceView {
    const health = report?.extra.health;
    return {
      id,
      stack,
      service,
      runtime: null,
      agent,
      state,
      health: state === 'unknown' ? 'unknown' : (health?.status ?? (state === 'running' ? 'healthy' : 'unknown')),
      healthDetail: health?.detail ?? '',
      pid: report?.pid ?? null,
      url: report?.url ?? null,
      identity: vectorIdentity(this.o.trustDomain, id),
      restarts: report?.restarts ?? 0,
      startedAt: report?.startedAt ?? null,
      lastReportAt: report?.lastReportAt ?? null,
      version: null,
      upToDate: false,
      routed: false,
      draining: false,
      retiring: false,
      desired: false,
      unmanaged: false,
      lastExit: report?.extra.lastExit ?? null,
    };
  }
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key) ?? [];
  list.push(value);
  map.set(key, list);
}

/** Drops undefined fields (JSON and exactOptionalPropertyTypes agree on absence). */
function compact<T extends Record<string, unknown>>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}

/** `<stack>-<service>-<n>` back into its parts (stack names have no `-`). */
export function splitInstanceId(id: string): { stack: string; service: string } {
  const first = id.indexOf('-');
  const last = id.lastIndexOf('-');
  if (first < 0 || last <= first) return { stack: '', service: id };
  return { stack: id.slice(0, first), service: id.slice(first + 1, last) };
}
