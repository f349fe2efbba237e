import { z } from 'zod';
import { durationMs } from '../../../core/config.js';
import { middlewareFactory } from '../middleware.js';

/**
 * Client-side timeouts. `header`: the whole request head (and the TLS handshake) must arrive within
 * it — a slowloris client trickling header bytes is cut off, and the check runs every second, so it
 * cannot hold a connection much past the limit. `body`: the whole body must arrive within it
 * (the request as a whole within `header` + `body`; routes may set a shorter body timeout).
 * `idle`: a keep-alive connection with no request is closed after it.
 */
export const entrypointTimeoutsSchema = z.strictObject({
  header: durationMs.default(10_000),
  body: durationMs.default(60_000),
  idle: durationMs.default(65_000),
});
export type EntrypointTimeouts = z.output<typeof entrypointTimeoutsSchema>;

export const timeoutsOptions = z.strictObject({ body: durationMs.default(60_000) });

/** Per-route body timeout: the request body must arrive within `body` or the answer is 408. */
export const timeouts = middlewareFactory('timeouts', timeoutsOptions, (o) => ({
  onRequest(ex) {
    ex.bodyTimeoutMs = o.body;
  },
}));
