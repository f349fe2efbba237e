import type { Dispatcher } from 'undici';
import { z } from 'zod';
import { every } from '../core/lifecycle.js';
import { errorMessage } from '../core/errors.js';
import type { RawSnapshot } from '../proxy/dynamic-config.js';
import type { Provider, ProviderSink } from '../proxy/providers/provider.js';

/** The hub's discovery feed (`GET /api/discovery`), as the router reads it. */
const discoverySchema = z.object({
  services: z.array(
    z.object({
      name: z.string(),
      stack: z.string().optional(),
      hosts: z.array(z.string()).default([]),
      default: z.boolean().default(false),
      healthCheck: z.object({ path: z.string(), intervalMs: z.number(), timeoutMs: z.number() }).optional(),
      backends: z.array(z.object({ id: z.string(), url: z.string().url(), identity: z.string() })),
      /** Runtime `external` endpoints (real Qdrant nodes): trusted through their own CA bundle. */
      external: z.array(z.object({ id: z.string(), url: z.string().url(), ca: z.string(), serverName: z.string().optional() })).default([]),
    }),
  ),
});
export type DiscoveryFeed = z.infer<typeof discoverySchema>;

/**
 * Converts the feed into a snapshot: a service per stack service (its Phoenix replicas and its
 * external endpoints together), a Host router, a catch-all for the default.
 */
export function snapshotFromFeed(feed: DiscoveryFeed, responseTimeoutMs: number): RawSnapshot {
  const routers: Record<string, unknown> = {};
  const services: Record<string, unknown> = {};
  for (const s of feed.services) {
    services[s.name] = {
      servers: [
        ...s.backends.map((b) => ({ url: b.url, identity: b.identity })),
        ...s.external.map((e) => ({ url: e.url, ca: e.ca, ...(e.serverName !== undefined ? { serverName: e.serverName } : {}) })),
      ],
      responseTimeout: responseTimeoutMs,
      ...(s.healthCheck ? { healthCheck: { path: s.healthCheck.path, interval: s.healthCheck.intervalMs, timeout: s.healthCheck.timeoutMs } } : {}),
    };
    if (s.hosts.length > 0) routers[s.name] = { rule: `Host(${s.hosts.map((h) => `\`${h}\``).join(', ')})`, service: s.name };
    // Everything no other router matches; the lowest priority, as a catch-all.
    if (s.default) routers[`${s.name}-default`] = { rule: 'PathPrefix(`/`)', service: s.name, priority: 1 };
  }
  return { routers, services };
}

/**
 * The `hub` provider: polls the hub's discovery feed over mTLS (each second by default) and emits
 * each snapshot; the aggregator drops unchanged ones, so a replica added or removed in the hub is
 * served or dropped within one poll plus the throttle. When the hub is unreachable the last
 * snapshot stays in force (replicas keep serving) and the failure is reported.
 */
export class HubProvider implements Provider {
  readonly name = 'hub';

  constructor(
    private readonly options: { hubUrl: string; dispatcher: Dispatcher; intervalMs: number; responseTimeoutMs: number },
  ) {}

  start(sink: ProviderSink, signal: AbortSignal): Promise<void> {
    const origin = new URL(this.options.hubUrl).origin;
    return every(
      this.options.intervalMs,
      signal,
      async () => {
        const res = await this.options.dispatcher.request({ origin, path: '/api/discovery', method: 'GET', headersTimeout: 5000, bodyTimeout: 5000, signal });
        const text = await res.body.text();
        if (res.statusCode !== 200) throw new Error(`hub answered ${res.statusCode}: ${text.slice(0, 200)}`);
        const feed = discoverySchema.parse(JSON.parse(text));
        sink.emit(snapshotFromFeed(feed, this.options.responseTimeoutMs));
      },
      (err) => sink.fail(`cannot read the hub discovery feed (keeping the last configuration): ${errorMessage(err)}`),
    );
  }
}
