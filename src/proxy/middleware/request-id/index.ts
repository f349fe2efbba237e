import { randomFillSync, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Exchange } from '../../exchange.js';
import { middlewareFactory } from '../middleware.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/** Random hex from a refilled pool: cheaper than a crypto call per request. */
const pool = Buffer.alloc(4096);
let offset = pool.length;
function randomHex(bytes: number): string {
  if (offset + bytes > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const s = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  return s;
}

/**
 * Request id and W3C trace context for one hop. The request id (`x-request-id`) is kept when the
 * caller sent a sane one, else made up; it is echoed to the client and sent upstream. The
 * `traceparent` keeps the caller's trace id and flags and gets this hop's own span id as the parent
 * id for the next hop; without a valid one a new trace starts.
 */
export function assignTrace(ex: Exchange, trustIncoming = true): void {
  const given = trustIncoming ? ex.req.headers['x-request-id'] : undefined;
  ex.requestId = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  const tp = trustIncoming ? ex.req.headers['traceparent'] : undefined;
  const traceId = typeof tp === 'string' && validTraceparent(tp) ? tp.slice(3, 35) : undefined;
  if (traceId !== undefined && traceId !== ZERO_TRACE && tp?.slice(36, 52) !== ZERO_SPAN) {
    ex.traceId = traceId;
    ex.traceFlags = (tp as string).slice(53, 55);
  } else {
    ex.traceId = randomHex(16);
    ex.traceFlags = '00';
  }
  ex.spanId = randomHex(8);
  ex.responseHeaders.push('x-request-id', ex.requestId);
}

/** `00-<32 hex>-<16 hex>-<2 hex>`, lower-case hex (checked without a regular expression: per request). */
function validTraceparent(tp: string): boolean {
  if (tp.length !== 55 || tp.charCodeAt(0) !== 48 || tp.charCodeAt(1) !== 48 || tp.charCodeAt(2) !== 45 || tp.charCodeAt(35) !== 45 || tp.charCodeAt(52) !== 45) return false;
  for (let i = 3; i < 55; i++) {
    if (i === 35 || i === 52) continue;
    const c = tp.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/** The `traceparent` to send upstream from this hop. */
export function outgoingTraceparent(ex: Exchange): string {
  return `00-${ex.traceId}-${ex.spanId}-${ex.traceFlags}`;
}

export const requestIdOptions = z.strictObject({ trustIncoming: z.boolean().default(true) });

/**
 * As a route middleware: re-assigns ids, e.g. with `trustIncoming: false` on a public entrypoint
 * that must not let clients pick ids. Every hop assigns them anyway before routing.
 */
export const requestId = middlewareFactory('requestId', requestIdOptions, (o) => ({
  onRequest(ex) {
    if (!o.trustIncoming) assignTrace(ex, false);
  },
}));
