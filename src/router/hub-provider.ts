import type { Dispatcher } from 'undici';
import type { Logger } from 'pino';
import { z } from 'zod';
import { every } from '../core/lifecycle.js';
import { errorMessage } from '../core/errors.js';
import type { DynamicConfig } from '../proxy/model.js';

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
    }),
  ),
});
export type DiscoveryFeed = z.infer<typeof discoverySchema>;

const PROVIDER = 'hub';

/** Converts the feed into a dynamic configuration snapshot (names `name@hub`). */
export function snapshotFromFeed(feed: DiscoveryFeed): DynamicConfig {
  const config: DynamicConfig = { routers: {}, services: {} };
  for (const s of feed.services) {
    const service = `${s.name}@${PROVIDER}`;
    config.services[service] = {
      servers: s.backends.map((b) => ({ url: b.url, identity: b.identity })),
      ...(s.healthCheck ? { healthCheck: s.healthCheck } : {}),
    };
    if (s.hosts.length > 0) {
      config.routers[service] = { rule: `Host(${s.hosts.map((h) => `\`${h}\``).join(', ')})`, service };
    }
    if (s.default) {
      // Everything no other router matches; the lowest priority, as a catch-all.
      config.routers[`${s.name}-default@${PROVIDER}`] = { rule: 'PathPrefix(`/`)', service, priority: 1 };
    }
  }
  return config;
}

/**
 * Polls the hub's discovery feed over mTLS and hands each snapshot to `apply`. When the hub is
 * unreachable the last snapshot stays in force (replicas keep serving) and the failure is logged.
 */
export function pollHub(options: {
  hubUrl: string;
  dispatcher: Dispatcher;
  intervalMs: number;
  signal: AbortSignal;
  logger: Logger;
  apply: (config: DynamicConfig) => void;
}): Promise<void> {
  let failing = false;
  return every(
    options.intervalMs,
    options.signal,
    async () => {
      const res = await options.dispatcher.request({
        origin: new URL(options.hubUrl).origin,
        path: '/api/discovery',
        method: 'GET',
        headersTimeout: 5000,
        bodyTimeout: 5000,
        signal: options.signal,
      });
      const text = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`hub answered ${res.statusCode}: ${text.slice(0, 200)}`);
      const feed = discoverySchema.parse(JSON.parse(text));
      if (failing) options.logger.info('hub discovery feed reachable again');
      failing = false;
      options.apply(snapshotFromFeed(feed));
    },
    (err) => {
      if (!failing) options.logger.warn({ err: errorMessage(err) }, 'cannot read the hub discovery feed; keeping the last configuration');
      failing = true;
    },
  );
}
