import type { RouteTable } from './route-table.js';

export interface ProxyStatus {
  generation: number;
  routers: Array<{ name: string; rule: string; priority: number; service: string; middlewares: readonly string[] }>;
  services: Array<{
    name: string;
    strategy: string;
    circuit: string | null;
    backends: Array<{ url: string; identity: string; weight: number; health: string; available: boolean; inFlight: number; reason: string }>;
  }>;
  middlewares: Array<{ name: string; type: string }>;
  /** Items left out of the live configuration, with the reason. */
  errors: ReadonlyArray<{ item: string; error: string }>;
  drainingBackends: number;
}

/** The status API's view of the live table. */
export function proxyStatus(table: RouteTable, generation: number, draining: number): ProxyStatus {
  return {
    generation,
    routers: table.routes.map((r) => ({ name: r.name, rule: r.rule, priority: r.priority, service: r.service.name, middlewares: r.middlewareNames })),
    services: [...table.services.values()].map((s) => ({
      name: s.name,
      strategy: s.spec.strategy,
      circuit: s.breaker?.state ?? null,
      backends: s.entries.map(({ backend: b, weight }) => ({
        url: b.url,
        identity: b.identity,
        weight,
        health: b.state,
        available: b.available,
        inFlight: b.inFlight,
        reason: b.reason,
      })),
    })),
    middlewares: [...table.middlewares].map(([name, m]) => ({ name, type: m.middleware.type })),
    errors: table.errors,
    drainingBackends: draining,
  };
}
