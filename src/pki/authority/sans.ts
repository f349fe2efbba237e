import { isIP } from 'node:net';

/** A subject alternative name as the CA handles it. */
export type SanType = 'dns' | 'ip' | 'uri';
export interface San {
  type: SanType;
  value: string;
}

/**
 * Reads a SAN written as a string (token `sans` claim, CLI `--san`): an IP address, a URI with a
 * scheme (`spiffe://…`, `https://…`), or else a DNS name.
 */
export function parseSan(text: string): San {
  if (isIP(text) !== 0) return { type: 'ip', value: text };
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(text)) return { type: 'uri', value: text };
  return { type: 'dns', value: text };
}

/** Canonical text of a SAN: DNS names lower-case, IPv6 compressed, URIs as written. */
export function canonicalSan(san: San): string {
  switch (san.type) {
    case 'dns':
      return `dns:${san.value.toLowerCase().replace(/\.$/, '')}`;
    case 'ip':
      return `ip:${canonicalIp(san.value)}`;
    case 'uri':
      return `uri:${san.value}`;
    default: {
      const never: never = san.type;
      throw new Error(`unknown SAN type ${String(never)}`);
    }
  }
}

function canonicalIp(ip: string): string {
  if (isIP(ip) === 6) return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  return ip;
}

/** The requested SANs that `allowed` does not contain (empty when all are allowed). */
export function sansNotAllowed(requested: readonly San[], allowed: readonly San[]): San[] {
  const ok = new Set(allowed.map(canonicalSan));
  return requested.filter((san) => !ok.has(canonicalSan(san)));
}

/** Human text for a SAN in messages: `DNS:localhost`, `IP:127.0.0.1`, `URI:spiffe://…`. */
export function describeSan(san: San): string {
  return `${san.type === 'uri' ? 'URI' : san.type.toUpperCase()}:${san.value}`;
}
