import type { Logger } from 'pino';
import { errorMessage } from '../core/errors.js';
import type { BackendPool } from './backend-pool.js';
import type { DynamicConfig, ItemError } from './dynamic-config.js';
import type { Middleware, MiddlewareContext } from './middleware/middleware.js';
import type { MiddlewareRegistry } from './middleware/registry.js';
import { compileRule, type RuleMatcher, type RuleRequest } from './rules.js';
import { ServiceRuntime } from './service.js';

export interface Route {
  name: string;
  rule: string;
  priority: number;
  matcher: RuleMatcher;
  service: ServiceRuntime;
  middlewares: readonly Middleware[];
  middlewareNames: readonly string[];
  /** Per-status metric handles, filled lazily by the metrics. */
  readonly metricsCache: Map<number, unknown>;
}

export interface BuiltMiddleware {
  specText: string;
  middleware: Middleware;
}

export interface TableContext {
  pool: BackendPool;
  registry: MiddlewareRegistry;
  logger: Logger;
  rejected: MiddlewareContext['rejected'];
}

/**
 * The handler table built from one snapshot: routes by descending priority, each bound to its
 * middleware chain and service runtime. Built beside the live table and swapped in one assignment;
 * services and middlewares whose configuration did not change are carried over from the previous
 * table (their state — balancer position, token buckets, breaker — survives).
 */
export class RouteTable {
  constructor(
    readonly routes: readonly Route[],
    readonly services: ReadonlyMap<string, ServiceRuntime>,
    readonly middlewares: ReadonlyMap<string, BuiltMiddleware>,
    readonly errors: readonly ItemError[],
  ) {}

  static empty(): RouteTable {
    return new RouteTable([], new Map(), new Map(), []);
  }

  match(req: RuleRequest): Route | undefined {
    for (const route of this.routes) if (route.matcher(req)) return route;
    return undefined;
  }

  static build(config: DynamicConfig, inputErrors: readonly ItemError[], previous: RouteTable, ctx: TableContext): RouteTable {
    const errors: ItemError[] = [...inputErrors];
    const services = new Map<string, ServiceRuntime>();
    for (const [name, spec] of Object.entries(config.services)) {
      const text = JSON.stringify(spec);
      const old = previous.services.get(name);
      services.set(name, old && old.specText === text ? old : new ServiceRuntime(name, spec, text, ctx.pool, ctx.logger));
    }
    const middlewares = new Map<string, BuiltMiddleware>();
    for (const [name, spec] of Object.entries(config.middlewares)) {
      const text = JSON.stringify(spec);
      const old = previous.middlewares.get(name);
      if (old && old.specText === text) {
        middlewares.set(name, old);
        continue;
      }
      try {
        middlewares.set(name, { specText: text, middleware: ctx.registry.create(spec, { name, logger: ctx.logger, rejected: ctx.rejected }) });
      } catch (err) {
        errors.push({ item: name, error: errorMessage(err) });
      }
    }
    const routes: Route[] = [];
    for (const [name, spec] of Object.entries(config.routers)) {
      const service = services.get(spec.service);
      if (!service) {
        errors.push({ item: name, error: `service ${spec.service} does not exist or is disabled` });
        continue;
      }
      const missing = spec.middlewares.filter((m) => !middlewares.has(m));
      if (missing.length > 0) {
        errors.push({ item: name, error: `middleware ${missing.join(', ')} does not exist or is disabled` });
        continue;
      }
      try {
        routes.push({
          name,
          rule: spec.rule,
          priority: spec.priority ?? spec.rule.length,
          matcher: compileRule(spec.rule),
          service,
          middlewares: spec.middlewares.map((m) => (middlewares.get(m) as BuiltMiddleware).middleware),
          middlewareNames: spec.middlewares,
          metricsCache: new Map(),
        });
      } catch (err) {
        errors.push({ item: name, error: errorMessage(err) });
      }
    }
    routes.sort((a, b) => b.priority - a.priority || a.name.localeCompare(b.name));
    ctx.pool.retain(new Set([...services.values()].flatMap((s) => s.backends.map((b) => b.key))));
    for (const [name, old] of previous.middlewares) if (middlewares.get(name) !== old) old.middleware.close?.();
    return new RouteTable(routes, services, middlewares, errors);
  }

  close(): void {
    for (const m of this.middlewares.values()) m.middleware.close?.();
  }
}
