import { z } from 'zod';
import type { Exchange } from '../../exchange.js';
import { middlewareFactory, RejectionError } from '../middleware.js';

export const inFlightOptions = z.strictObject({
  /** Requests allowed at the same time. */
  amount: z.number().int().min(1),
  /** Counted for everyone together, per client address, or per API key. */
  by: z.enum(['all', 'clientIp', 'apiKey']).default('all'),
});

/** Caps concurrent requests; one more gets 429 with `Retry-After: 1`. */
export const inFlightLimit = middlewareFactory('inFlightReq', inFlightOptions, (o, ctx) => {
  const counts = new Map<string, number>();
  const keyOf =
    o.by === 'all' ? () => '' : o.by === 'clientIp' ? (ex: Exchange) => ex.clientIp : (ex: Exchange) => ex.clientKey ?? `ip:${ex.clientIp}`;
  return {
    onRequest(ex) {
      const key = keyOf(ex);
      const n = counts.get(key) ?? 0;
      if (n >= o.amount) {
        ctx.rejected('inFlightReq', o.by);
        throw new RejectionError('PROXY_TOO_MANY_IN_FLIGHT', 429, `Too many requests in flight: at most ${o.amount} at once${o.by === 'all' ? '' : ` per ${o.by === 'clientIp' ? 'client address' : 'API key'}`}`, {
          'retry-after': '1',
        });
      }
      counts.set(key, n + 1);
      ex.onDone(() => {
        const left = (counts.get(key) ?? 1) - 1;
        if (left <= 0) counts.delete(key);
        else counts.set(key, left);
      });
    },
  };
});
