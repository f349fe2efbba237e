import type { AgentView, InstanceView } from '../fleet.js';
import type { InstanceFields } from '../instance-fields.js';
import type { RoleStatus } from '../health/peers.js';
import type { CurrentStack } from '../stacks/catalog.js';
import { routingOf } from '../stacks/schema.js';
import type { Rollout } from '../store/rollouts.js';
import type { StackVersion } from '../store/stacks.js';

/** JSON shapes of the hub API; timestamps are ISO 8601 strings (or null). Domain types stay apart. */
export const iso = (ms: number | null | undefined): string | null => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

export function instanceWire(v: InstanceView): InstanceFields<string> {
  return {
    id: v.id,
    stack: v.stack,
    service: v.service,
    runtime: v.runtime,
    agent: v.agent,
    state: v.state,
    health: v.health,
    healthDetail: v.healthDetail,
    pid: v.pid,
    url: v.url,
    identity: v.identity,
    restarts: v.restarts,
    startedAt: iso(v.startedAt),
    lastReportAt: iso(v.lastReportAt),
    version: v.version,
    upToDate: v.upToDate,
    routed: v.routed,
    draining: v.draining,
    retiring: v.retiring,
    desired: v.desired,
    unmanaged: v.unmanaged,
    lastExit: v.lastExit ? { code: v.lastExit.code, signal: v.lastExit.signal, at: iso(v.lastExit.at) } : null,
  };
}

export function agentWire(a: AgentView, hubVersion?: string) {
  return {
    name: a.name,
    version: a.version,
    versionMatches: hubVersion === undefined ? null : a.version === hubVersion,
    lastHeartbeatAt: iso(a.lastHeartbeatAt),
    firstSeenAt: iso(a.firstSeenAt),
    host: a.host,
    advertiseAddress: a.advertiseAddress,
    healthy: a.liveness.healthy,
    detail: a.liveness.detail,
    certificate: a.certSerial ? { serial: a.certSerial, notAfter: iso(a.certNotAfter) } : null,
  };
}

export function roleWire(r: RoleStatus) {
  return { role: r.role, name: r.name, healthy: r.healthy, detail: r.detail, lastSeenAt: iso(r.lastSeenAt) };
}

export function versionWire(v: StackVersion, withYaml = false) {
  return { name: v.name, version: v.version, createdAt: iso(v.createdAt), author: v.author, note: v.note, ...(withYaml ? { yaml: v.yaml } : {}) };
}

export function rolloutWire(r: Rollout) {
  return {
    id: r.id,
    stack: r.stack,
    fromVersion: r.fromVersion,
    toVersion: r.toVersion,
    kind: r.kind,
    state: r.state,
    detail: r.detail,
    pending: r.pending,
    current: r.current,
    done: r.done,
    startedAt: iso(r.startedAt),
    finishedAt: iso(r.finishedAt),
    actor: r.actor,
  };
}

export function stackSummaryWire(s: CurrentStack) {
  return {
    name: s.version.name,
    version: s.version.version,
    createdAt: iso(s.version.createdAt),
    author: s.version.author,
    note: s.version.note,
    services: Object.entries(s.stack.services).map(([name, svc]) => ({
      name,
      runtime: svc.runtime,
      replicas: svc.replicas,
      labels: svc.labels,
      router: routingOf(svc),
      healthcheck: { path: svc.healthcheck.path, intervalMs: svc.healthcheck.interval, timeoutMs: svc.healthcheck.timeout },
      update: { parallelism: svc.update.parallelism, monitorMs: svc.update.monitor, drainMs: svc.update.drain, failureAction: svc.update.failureAction },
    })),
  };
}

export function stackWire(s: CurrentStack) {
  const { name, version, createdAt, author, note, services } = stackSummaryWire(s);
  return { name, version, yaml: s.version.yaml, createdAt, author, note, services };
}
