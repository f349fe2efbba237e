import type { Exchange } from './exchange.js';
import { outgoingTraceparent } from './middleware/request-id/index.js';

/**
 * Request headers never passed upstream as received: hop-by-hop ones (RFC 9110 §7.6.1), and those
 * this hop sets itself (host, request id, trace context, forwarding information, body length).
 */
const REPLACED = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'x-request-id',
  'traceparent',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'expect',
]);

export interface UpstreamHeaderOptions {
  /** Host header to send; the incoming one when unset. */
  host: string | undefined;
  /** Headers this hop consumed (credentials checked here). */
  drop: ReadonlySet<string> | undefined;
}

/**
 * The upstream request's headers as a flat `[name, value, …]` list built in one pass over the raw
 * incoming headers (no intermediate object): end-to-end headers as received, then this hop's own.
 */
export function upstreamHeaders(ex: Exchange, options: UpstreamHeaderOptions, bodyLength: number | undefined): string[] {
  const raw = ex.req.rawHeaders;
  const out: string[] = [];
  let listed: Set<string> | undefined;
  let forwardedFor: string | undefined;
  let incomingHost: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.charCodeAt(0) === 58 /* ':' HTTP/2 pseudo-header */) {
      if (name === ':authority') incomingHost = raw[i + 1];
      continue;
    }
    const lower = name.toLowerCase();
    if (REPLACED.has(lower)) {
      if (lower === 'connection') listed = connectionTokens(raw[i + 1] as string, listed);
      else if (lower === 'x-forwarded-for') forwardedFor = forwardedFor ? `${forwardedFor}, ${raw[i + 1]}` : raw[i + 1];
      else if (lower === 'host') incomingHost = raw[i + 1];
      continue;
    }
    if (options.drop?.has(lower) || listed?.has(lower)) continue;
    out.push(name, raw[i + 1] as string);
  }
  if (listed) for (let i = out.length - 2; i >= 0; i -= 2) if (listed.has((out[i] as string).toLowerCase())) out.splice(i, 2);
  const host = options.host ?? incomingHost ?? ex.host;
  out.push('host', host, 'x-request-id', ex.requestId, 'traceparent', outgoingTraceparent(ex));
  if (ex.clientIp) out.push('x-forwarded-for', forwardedFor ? `${forwardedFor}, ${ex.clientIp}` : ex.clientIp);
  out.push('x-forwarded-proto', 'https');
  if (incomingHost) out.push('x-forwarded-host', incomingHost);
  if (bodyLength !== undefined) out.push('content-length', String(bodyLength));
  return out;
}

function connectionTokens(value: string, into: Set<string> | undefined): Set<string> | undefined {
  for (const token of value.split(',')) {
    const t = token.trim().toLowerCase();
    if (t && t !== 'close' && t !== 'keep-alive') (into ??= new Set()).add(t);
  }
  return into;
}
