import { errorMessage } from '../core/errors.js';
import type { Backend } from './backend.js';
import type { BackendPool } from './backend-pool.js';
import { RoundRobin } from './balancer/round-robin.js';
import type { DynamicConfig, HealthCheckSpec } from './model.js';
import { compileRule, type RuleMatcher, type RuleRequest } from './rules.js';

export interface ServiceRuntime {
  name: string;
  backends: Backend[];
  balancer: RoundRobin;
  healthCheck: HealthCheckSpec | undefined;
}

export interface Route {
  name: string;
  rule: string;
  priority: number;
  matcher: RuleMatcher;
  service: ServiceRuntime;
}

/** A dynamic item that could not be built; it is left out and reported, the rest serves. */
export interface ItemError {
  item: string;
  error: string;
}

/**
 * The handler table built from one snapshot: routes by descending priority, each bound to its
 * service runtime. Built beside the live table and swapped in one assignment.
 */
export class RouteTable {
  constructor(
    readonly routes: readonly Route[],
    readonly services: ReadonlyMap<string, ServiceRuntime>,
    readonly errors: readonly ItemError[],
  ) {}

  match(req: RuleRequest): Route | undefined {
    for (const route of this.routes) if (route.matcher(req)) return route;
    return undefined;
  }

  static build(config: DynamicConfig, pool: BackendPool): RouteTable {
    const errors: ItemError[] = [];
    const services = new Map<string, ServiceRuntime>();
    for (const [name, spec] of Object.entries(config.services)) {
      const backends = spec.servers.map((server) => pool.acquire(server, spec.healthCheck !== undefined));
      services.set(name, { name, backends, balancer: new RoundRobin(backends), healthCheck: spec.healthCheck });
    }
    const routes: Route[] = [];
    for (const [name, spec] of Object.entries(config.routers)) {
      const service = services.get(spec.service);
      if (!service) {
        errors.push({ item: name, error: `service ${spec.service} does not exist` });
        continue;
      }
      try {
        routes.push({ name, rule: spec.rule, priority: spec.priority ?? spec.rule.length, matcher: compileRule(spec.rule), service });
      } catch (err) {
        errors.push({ item: name, error: errorMessage(err) });
      }
    }
    routes.sort((a, b) => b.priority - a.priority || a.name.localeCompare(b.name));
    pool.retain(new Set([...services.values()].flatMap((s) => s.backends.map((b) => b.key))));
    return new RouteTable(routes, services, errors);
  }
}
