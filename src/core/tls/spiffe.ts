import type { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';

/**
 * Workload identities: every Phoenix process holds a certificate whose URI SAN is
 * `spiffe://<trust-domain>/<role>/<name>`. Listeners allow or refuse peers by these identities.
 */
export const ROLES = ['ca', 'gateway', 'router', 'hub', 'agent', 'vector', 'admin', 'client'] as const;
export type Role = (typeof ROLES)[number];

export interface SpiffeId {
  readonly trustDomain: string;
  readonly role: string;
  readonly name: string;
  readonly uri: string;
}

const NAME_RE = /^[a-zA-Z0-9._-]{1,128}$/;

export function spiffeUri(trustDomain: string, role: string, name: string): string {
  if (!NAME_RE.test(role) || !NAME_RE.test(name)) {
    throw new Error(`invalid identity ${role}/${name}: role and name may use letters, digits, '.', '_' and '-'`);
  }
  return `spiffe://${trustDomain}/${role}/${name}`;
}

export function parseSpiffe(uri: string): SpiffeId | undefined {
  const m = /^spiffe:\/\/([a-z0-9.-]+)\/([a-zA-Z0-9._-]+)\/([a-zA-Z0-9._-]+)$/.exec(uri);
  if (!m) return undefined;
  return { trustDomain: m[1] as string, role: m[2] as string, name: m[3] as string, uri };
}

/** URI SANs of a certificate, from Node's `subjectAltName` text (`DNS:a, URI:spiffe://…, IP Address:…`). */
export function uriSans(subjectAltName: string | undefined): string[] {
  if (!subjectAltName) return [];
  return subjectAltName
    .split(/,\s*/)
    .filter((part) => part.startsWith('URI:'))
    .map((part) => part.slice(4));
}

/** The SPIFFE identity carried by a certificate, if it has exactly one. */
export function identityOfCertificate(cert: Pick<X509Certificate, 'subjectAltName'> | { subjectaltname?: string }): SpiffeId | undefined {
  const san = 'subjectAltName' in cert ? cert.subjectAltName : cert.subjectaltname;
  const ids = uriSans(san).map(parseSpiffe).filter((id): id is SpiffeId => id !== undefined);
  return ids.length === 1 ? ids[0] : undefined;
}

/** The verified identity of the peer on a TLS socket; undefined unless the chain was verified. */
export function peerIdentity(socket: TLSSocket): SpiffeId | undefined {
  if (!socket.authorized) return undefined;
  const cert = socket.getPeerCertificate();
  if (!cert || Object.keys(cert).length === 0) return undefined;
  return identityOfCertificate(cert);
}

/** One allowed peer: a role in our trust domain, optionally one name only. */
export interface AllowedPeer {
  role: string;
  name?: string;
}

/** Which identities may talk to a listener (or be accepted as a backend). */
export class IdentityPolicy {
  constructor(
    readonly trustDomain: string,
    readonly allowed: readonly AllowedPeer[],
  ) {}

  static roles(trustDomain: string, ...roles: string[]): IdentityPolicy {
    return new IdentityPolicy(trustDomain, roles.map((role) => ({ role })));
  }

  /** A policy for one identity pattern: `spiffe://<td>/<role>/<name>` or `spiffe://<td>/<role>/*`. */
  static fromPattern(pattern: string): IdentityPolicy {
    const m = /^spiffe:\/\/([a-z0-9.-]+)\/([a-zA-Z0-9._-]+)\/([a-zA-Z0-9._-]+|\*)$/.exec(pattern);
    if (!m) throw new Error(`invalid identity pattern "${pattern}": expected spiffe://<trust-domain>/<role>/<name or *>`);
    const [, td, role, name] = m as unknown as [string, string, string, string];
    return new IdentityPolicy(td, [name === '*' ? { role } : { role, name }]);
  }

  allows(id: SpiffeId | undefined): boolean {
    if (!id || id.trustDomain !== this.trustDomain) return false;
    return this.allowed.some((a) => a.role === id.role && (a.name === undefined || a.name === id.name));
  }

  /** Human description for error messages, e.g. `spiffe://phoenix.internal/gateway/*`. */
  describe(): string {
    return this.allowed.map((a) => `spiffe://${this.trustDomain}/${a.role}/${a.name ?? '*'}`).join(', ');
  }
}
