import { issuesText } from '../dynamic-config.js';
import { bodyLimit } from './body-limit/index.js';
import { inFlightLimit } from './in-flight/index.js';
import { ipAllowList } from './ip-allow-list/index.js';
import type { Middleware, MiddlewareContext, MiddlewareFactory } from './middleware.js';
import { rateLimit } from './rate-limit/index.js';
import { requestId } from './request-id/index.js';
import { securityHeaders } from './security-headers/index.js';
import { timeouts } from './timeouts/index.js';

/** Every middleware type usable in dynamic configuration, by its key. */
export const BUILTIN_MIDDLEWARES: readonly MiddlewareFactory<never>[] = [
  rateLimit,
  ipAllowList,
  inFlightLimit,
  bodyLimit,
  timeouts,
  securityHeaders,
  requestId,
] as unknown as MiddlewareFactory<never>[];

export class MiddlewareRegistry {
  private readonly factories = new Map<string, MiddlewareFactory<never>>();

  constructor(extra: readonly MiddlewareFactory<never>[] = []) {
    for (const f of [...BUILTIN_MIDDLEWARES, ...extra]) this.factories.set(f.type, f);
  }

  types(): string[] {
    return [...this.factories.keys()];
  }

  /** Builds one middleware from its `{ type: options }` item; throws with a readable reason. */
  create(spec: Record<string, unknown>, ctx: MiddlewareContext): Middleware {
    const [type, options] = Object.entries(spec)[0] ?? [];
    const factory = type === undefined ? undefined : this.factories.get(type);
    if (!factory) throw new Error(`unknown middleware type ${type ?? '(none)'}; known types: ${this.types().join(', ')}`);
    const parsed = factory.options.safeParse(options ?? {});
    if (!parsed.success) throw new Error(`${type}: ${issuesText(parsed.error)}`);
    return factory.create(parsed.data as never, ctx);
  }
}
