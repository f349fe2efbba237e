import type { Server as HttpServer } from 'node:http';
import type { Http2SecureServer } from 'node:http2';
import { z } from 'zod';
import { durationMs } from '../../../core/config.js';
import { middlewareFactory } from '../middleware.js';

/**
 * Client-side timeouts. `header`: the whole request head (and the TLS handshake) must arrive within
 * it — a slowloris client trickling header bytes is cut off, and the check runs every second, so it
 * cannot hold a connection much past the limit. `body`: the whole body must arrive within it.
 * `idle`: a keep-alive connection with no request is closed after it.
 */
export const entrypointTimeoutsSchema = z.strictObject({
  header: durationMs.default(10_000),
  body: durationMs.default(60_000),
  idle: durationMs.default(65_000),
});
export type EntrypointTimeouts = z.output<typeof entrypointTimeoutsSchema>;

/** Server options that must be given at construction (the checking interval). */
export function timeoutServerOptions(t: EntrypointTimeouts): { connectionsCheckingInterval: number; handshakeTimeout: number } {
  return { connectionsCheckingInterval: Math.min(1000, t.header), handshakeTimeout: t.header };
}

/** Applies the timeouts to an HTTP/1.1 server or an HTTP/2 server that also speaks HTTP/1.1, before it listens. */
export function applyServerTimeouts(server: HttpServer | Http2SecureServer, t: EntrypointTimeouts): void {
  const s = server as unknown as { headersTimeout: number; requestTimeout: number; keepAliveTimeout: number; connectionsCheckingInterval: number };
  s.headersTimeout = t.header;
  // The HTTP/2 server fixes its HTTP/1.1 checking interval at 30 s unless set before it listens.
  s.connectionsCheckingInterval = timeoutServerOptions(t).connectionsCheckingInterval;
  // Node's requestTimeout covers head and body; the body middleware below is per route.
  s.requestTimeout = t.header + t.body;
  s.keepAliveTimeout = t.idle;
  server.setTimeout(t.idle + t.body);
}

export const timeoutsOptions = z.strictObject({ body: durationMs.default(60_000) });

/** Per-route body timeout: the request body must arrive within `body` or the answer is 408. */
export const timeouts = middlewareFactory('timeouts', timeoutsOptions, (o) => ({
  onRequest(ex) {
    ex.bodyTimeoutMs = o.body;
  },
}));
