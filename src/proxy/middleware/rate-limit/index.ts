import { z } from 'zod';
import { durationMs } from '../../../core/config.js';
import type { Exchange } from '../../exchange.js';
import { middlewareFactory, RejectionError } from '../middleware.js';

const MAX_KEYS = 100_000;

export const rateLimitOptions = z.strictObject({
  /** Requests allowed per `period` on average. */
  average: z.number().positive(),
  period: durationMs.default(1000),
  /** Requests allowed at once after a quiet spell; `average` by default. */
  burst: z.number().int().min(1).optional(),
  /** Whose budget a request spends: its client address, or its API key / token. */
  by: z.enum(['clientIp', 'apiKey']).default('clientIp'),
});

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token bucket per client address or per API key. A request takes one token; tokens come back at
 * `average` per `period` up to `burst`. Without a token the answer is 429 with `Retry-After` (whole
 * seconds until a token is back), which Qdrant clients and most HTTP clients honour.
 */
export const rateLimit = middlewareFactory('rateLimit', rateLimitOptions, (o, ctx) => {
  const burst = o.burst ?? Math.max(1, Math.ceil(o.average));
  const perMs = o.average / o.period;
  const buckets = new Map<string, Bucket>();
  const keyOf = o.by === 'apiKey' ? (ex: Exchange) => ex.clientKey ?? `ip:${ex.clientIp}` : (ex: Exchange) => ex.clientIp;
  const sweep = setInterval(() => {
    const now = performance.now();
    for (const [k, b] of buckets) if (b.tokens + (now - b.at) * perMs >= burst) buckets.delete(k);
  }, 30_000);
  sweep.unref();
  return {
    onRequest(ex) {
      const key = keyOf(ex);
      const now = performance.now();
      let b = buckets.get(key);
      if (!b) {
        if (buckets.size >= MAX_KEYS) buckets.clear();
        b = { tokens: burst, at: now };
        buckets.set(key, b);
      } else {
        b.tokens = Math.min(burst, b.tokens + (now - b.at) * perMs);
        b.at = now;
      }
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return;
      }
      const retryAfter = Math.max(1, Math.ceil((1 - b.tokens) / perMs / 1000));
      ctx.rejected('rateLimit', o.by);
      throw new RejectionError(
        'PROXY_RATE_LIMITED',
        429,
        `Too many requests: the limit is ${o.average} per ${o.period} ms ${o.by === 'apiKey' ? 'per API key' : 'per client address'}; retry after ${retryAfter} s`,
        { 'retry-after': String(retryAfter) },
      );
    },
    close() {
      clearInterval(sweep);
    },
  };
});
