import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/** Hop-by-hop headers (RFC 9110 §7.6.1) are not forwarded. */
const HOP_BY_HOP = new Set([
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
]);

/** Request headers for the upstream: end-to-end headers plus forwarding information. */
export function upstreamRequestHeaders(
  incoming: IncomingHttpHeaders,
  extra: { host: string; requestId: string; clientIp: string | undefined; proto: string; drop?: readonly string[] },
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const listed = connectionListed(incoming.connection);
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined || HOP_BY_HOP.has(name) || listed.has(name) || extra.drop?.includes(name)) continue;
    out[name] = value;
  }
  out['host'] = extra.host;
  out['x-request-id'] = extra.requestId;
  const prior = incoming['x-forwarded-for'];
  if (extra.clientIp) out['x-forwarded-for'] = prior ? `${String(prior)}, ${extra.clientIp}` : extra.clientIp;
  out['x-forwarded-proto'] ??= extra.proto;
  if (incoming.host) out['x-forwarded-host'] ??= incoming.host;
  return out;
}

/** Response headers for the client: everything but hop-by-hop headers. */
export function downstreamResponseHeaders(upstream: Record<string, string | string[] | undefined>): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  const listed = connectionListed(upstream['connection']);
  for (const [name, value] of Object.entries(upstream)) {
    if (value === undefined || HOP_BY_HOP.has(name) || listed.has(name)) continue;
    out[name] = value;
  }
  return out;
}

function connectionListed(value: string | string[] | undefined): Set<string> {
  if (!value) return new Set();
  const text = Array.isArray(value) ? value.join(',') : value;
  return new Set(text.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean));
}
