import type { AgentRecord, AgentStore, HostFacts } from './store/agents.js';
import type { InstanceReport, InstanceStore, ReportedState } from './store/instances.js';
import type { StackCatalog } from './stacks/catalog.js';
import { desiredInstances, vectorIdentity, type InstanceSpec } from './stacks/instances.js';
import type { Runtime } from './stacks/schema.js';
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

/** What an agent says about one replica it runs. */
export interface ReportedInstance {
  id: string;
  state: ReportedState;
  pid?: number | undefined;
  url?: string | undefined;
  restarts: number;
  startedAt?: number | undefined;
}

/** An instance an agent should run. */
export interface DesiredInstance {
  id: string;
  stack: string;
  service: string;
  runtime: Runtime;
  identity: string;
}

/** `pending`: not assigned or not reported yet; `unknown`: its agent stopped syncing. */
export type InstanceState = ReportedState | 'pending' | 'unknown';

export interface InstanceView {
  id: string;
  stack: string;
  service: string;
  agent: string | null;
  state: InstanceState;
  pid: number | null;
  url: string | null;
  identity: string;
  restarts: number;
  startedAt: number | null;
  lastReportAt: number | null;
  /** False for a replica an agent still runs although no stack asks for it (being stopped). */
  desired: boolean;
}

export interface AgentView extends AgentRecord {
  liveness: Liveness;
}

export interface Backend {
  id: string;
  url: string;
  identity: string;
}

export interface FleetOptions {
  agents: AgentStore;
  instances: InstanceStore;
  stacks: StackCatalog;
  trustDomain: string;
  liveness: LivenessPolicy;
  reassignAfterMs: number;
}

/**
 * The agents, the replicas they run, and which agent should run which instance. Agents' syncs feed
 * it; the console, the status page and the router's discovery feed read it.
 */
export class Fleet {
  constructor(private readonly o: FleetOptions) {}

  /** Records an agent's sync and answers with the instances it should run. */
  sync(agent: AgentReport, reports: readonly ReportedInstance[], now = Date.now()): DesiredInstance[] {
    this.o.agents.heartbeat({ ...agent, syncIntervalMs: agent.syncIntervalMs ?? null }, now);
    this.o.instances.replaceReports(
      agent.name,
      reports.map((r) => ({ id: r.id, agent: agent.name, state: r.state, pid: r.pid ?? null, url: r.url ?? null, restarts: r.restarts, startedAt: r.startedAt ?? null, lastReportAt: now })),
    );
    this.reschedule(now);
    return this.desiredFor(agent.name);
  }

  /** Recomputes assignments from the current stacks and agents (after a sync or a stack change). */
  reschedule(now = Date.now()): void {
    const agents = this.agents(now).map((a) => ({ name: a.name, healthy: a.liveness.healthy, silentForMs: a.liveness.silentForMs }));
    const next = assignInstances({ desired: this.desiredSpecs(), agents, current: this.o.instances.assignments(), now, reassignAfterMs: this.o.reassignAfterMs });
    this.o.instances.setAssignments(next);
  }

  desiredFor(agent: string): DesiredInstance[] {
    const specs = new Map(this.desiredSpecs().map((s) => [s.id, s]));
    return this.o.instances.assignments().flatMap((a) => {
      const spec = specs.get(a.instanceId);
      if (a.agent !== agent || !spec) return [];
      return [{ id: spec.id, stack: spec.stack, service: spec.service, runtime: spec.runtime, identity: vectorIdentity(this.o.trustDomain, spec.id) }];
    });
  }

  /** The agent an instance is assigned to, if any. */
  assignedAgent(instanceId: string): string | undefined {
    return this.o.instances.assignments().find((a) => a.instanceId === instanceId)?.agent;
  }

  agent(name: string): AgentRecord | undefined {
    return this.o.agents.get(name);
  }

  agents(now = Date.now()): AgentView[] {
    return this.o.agents.list().map((a) => ({ ...a, liveness: agentLiveness(a, this.o.liveness, now) }));
  }

  instances(now = Date.now()): InstanceView[] {
    const liveness = new Map(this.agents(now).map((a) => [a.name, a.liveness]));
    const assignments = new Map(this.o.instances.assignments().map((a) => [a.instanceId, a.agent]));
    const reports = this.o.instances.reports();
    const reportOf = (id: string, agent: string) => reports.find((r) => r.id === id && r.agent === agent);
    const shown = new Set<InstanceReport>();
    const views: InstanceView[] = [];
    for (const spec of this.desiredSpecs()) {
      const agent = assignments.get(spec.id) ?? null;
      const report = agent === null ? undefined : reportOf(spec.id, agent);
      if (report) shown.add(report);
      const healthy = agent !== null && liveness.get(agent)?.healthy === true;
      const state: InstanceState = agent === null ? 'pending' : !healthy ? 'unknown' : (report?.state ?? 'pending');
      views.push(this.view(spec.id, spec.stack, spec.service, agent, state, report, true));
    }
    for (const report of reports) {
      if (shown.has(report)) continue;
      const { stack, service } = splitInstanceId(report.id);
      views.push(this.view(report.id, stack, service, report.agent, liveness.get(report.agent)?.healthy ? report.state : 'unknown', report, false));
    }
    return views;
  }

  /** Running, reachable replicas per `<stack>/<service>`: reported running with a URL by a healthy agent. */
  backends(now = Date.now()): Map<string, Backend[]> {
    const out = new Map<string, Backend[]>();
    for (const v of this.instances(now)) {
      if (!v.desired || v.state !== 'running' || v.url === null) continue;
      const key = `${v.stack}/${v.service}`;
      const list = out.get(key) ?? [];
      list.push({ id: v.id, url: v.url, identity: v.identity });
      out.set(key, list);
    }
    return out;
  }

  private desiredSpecs(): InstanceSpec[] {
    return desiredInstances(this.o.stacks.all().map((s) => s.stack));
  }

  private view(id: string, stack: string, service: string, agent: string | null, state: InstanceState, report: InstanceReport | undefined, desired: boolean): InstanceView {
    return {
      id,
      stack,
      service,
      agent,
      state,
      pid: report?.pid ?? null,
      url: report?.url ?? null,
      identity: vectorIdentity(this.o.trustDomain, id),
      restarts: report?.restarts ?? 0,
      startedAt: report?.startedAt ?? null,
      lastReportAt: report?.lastReportAt ?? null,
      desired,
    };
  }
}

/** `<stack>-<service>-<n>` back into its parts (stack names have no `-`). */
export function splitInstanceId(id: string): { stack: string; service: string } {
  const first = id.indexOf('-');
  const last = id.lastIndexOf('-');
  if (first < 0 || last <= first) return { stack: '', service: id };
  return { stack: id.slice(0, first), service: id.slice(first + 1, last) };
}
