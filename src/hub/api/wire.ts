import type { AgentView, InstanceView } from '../fleet.js';
import type { RoleStatus } from '../health/peers.js';
import type { CurrentStack } from '../stacks/catalog.js';
import { routingOf } from '../stacks/schema.js';

/** JSON shapes of the hub API; timestamps are ISO 8601 strings (or null). Domain types stay apart. */
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function instanceWire(v: InstanceView) {
  return {
    id: v.id,
    stack: v.stack,
    service: v.service,
    agent: v.agent,
    state: v.state,
    pid: v.pid,
    url: v.url,
    identity: v.identity,
    restarts: v.restarts,
    startedAt: iso(v.startedAt),
    lastReportAt: iso(v.lastReportAt),
  };
}

export function agentWire(a: AgentView) {
  return {
    name: a.name,
    version: a.version,
    lastHeartbeatAt: iso(a.lastHeartbeatAt),
    host: a.host,
    advertiseAddress: a.advertiseAddress,
    healthy: a.liveness.healthy,
    detail: a.liveness.detail,
  };
}

export function roleWire(r: RoleStatus) {
  return { role: r.role, name: r.name, healthy: r.healthy, detail: r.detail, lastSeenAt: iso(r.lastSeenAt) };
}

export function stackSummaryWire(s: CurrentStack) {
  return {
    name: s.version.name,
    version: s.version.version,
    createdAt: iso(s.version.createdAt),
    services: Object.entries(s.stack.services).map(([name, svc]) => ({
      name,
      runtime: svc.runtime,
      replicas: svc.replicas,
      labels: svc.labels,
      router: routingOf(svc),
      healthcheck: { path: svc.healthcheck.path, intervalMs: svc.healthcheck.interval, timeoutMs: svc.healthcheck.timeout },
    })),
  };
}

export function stackWire(s: CurrentStack) {
  const { name, version, createdAt, services } = stackSummaryWire(s);
  return { name, version, yaml: s.version.yaml, createdAt, services };
}
