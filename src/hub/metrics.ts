import { Counter, Gauge, Registry } from 'prom-client';
import type { Fleet } from './fleet.js';

/** The hub's Prometheus metrics (text format at `GET /metrics`). */
export interface HubMetrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status'>;
}

export function createHubMetrics(fleet: Fleet): HubMetrics {
  const registry = new Registry();
  new Gauge({
    name: 'phoenix_hub_agents',
    help: 'Agents known to the hub, by health',
    labelNames: ['healthy'],
    registers: [registry],
    collect() {
      const agents = fleet.agents();
      this.set({ healthy: 'true' }, agents.filter((a) => a.liveness.healthy).length);
      this.set({ healthy: 'false' }, agents.filter((a) => !a.liveness.healthy).length);
    },
  });
  new Gauge({
    name: 'phoenix_hub_instances',
    help: 'Stack instances, by state',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      this.reset();
      const counts = new Map<string, number>();
      for (const i of fleet.instances()) counts.set(i.state, (counts.get(i.state) ?? 0) + 1);
      for (const [state, n] of counts) this.set({ state }, n);
    },
  });
  const requests = new Counter({
    name: 'phoenix_hub_http_requests_total',
    help: 'HTTP requests answered by the hub',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  return { registry, requests };
}
