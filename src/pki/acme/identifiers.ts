import { isIP } from 'node:net';
import { canonicalSan, describeSan, type San } from '../authority/sans.js';
import type { CertificateRequest } from '../authority/csr.js';
import { AcmeError } from './problem.js';
import type { Identifier } from './records.js';

const DNS_RE = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** Validates and normalizes order identifiers (DNS names lower-case, IPs canonical); duplicates go. */
export function normalizeIdentifiers(list: readonly { type: string; value: string }[]): Identifier[] {
  const seen = new Map<string, Identifier>();
  for (const id of list) {
    let normalized: Identifier;
    if (id.type === 'dns') {
      const value = id.value.toLowerCase().replace(/\.$/, '');
      if (value.length > 253 || !DNS_RE.test(value) || isIP(value) !== 0) throw new AcmeError('rejectedIdentifier', `"${id.value}" is not a valid DNS name`);
      normalized = { type: 'dns', value };
    } else if (id.type === 'ip') {
      if (isIP(id.value) === 0) throw new AcmeError('rejectedIdentifier', `"${id.value}" is not an IP address`);
      normalized = { type: 'ip', value: canonicalSan({ type: 'ip', value: id.value }).slice(3) };
    } else {
      throw new AcmeError('unsupportedIdentifier', `identifier type "${id.type}" is not supported; use "dns" or "ip"`);
    }
    seen.set(`${normalized.type}:${normalized.value}`, normalized);
  }
  return [...seen.values()];
}

export function identifierSan(id: Identifier): San {
  return { type: id.type, value: id.value };
}

/**
 * RFC 8555 §7.4: the CSR must ask for exactly the order's identifiers (as DNS/IP SANs; a common
 * name must be one of them). A URI SAN is allowed only when the account's external binding grants
 * it, and then it must be that URI.
 */
export function checkCsrMatchesOrder(csr: CertificateRequest, identifiers: readonly Identifier[], boundUri: string | undefined): void {
  const wanted = new Set(identifiers.map((i) => canonicalSan(identifierSan(i))));
  const names = csr.sans.filter((s) => s.type !== 'uri');
  const asked = new Set(names.map(canonicalSan));
  const extra = names.filter((s) => !wanted.has(canonicalSan(s)));
  if (extra.length > 0) throw new AcmeError('badCSR', `the CSR asks for ${extra.map(describeSan).join(', ')}, which the order does not name`);
  const missing = identifiers.filter((i) => !asked.has(canonicalSan(identifierSan(i))));
  if (missing.length > 0) throw new AcmeError('badCSR', `the CSR does not ask for ${missing.map((i) => i.value).join(', ')}, which the order names`);
  if (csr.commonName !== undefined) {
    const cn = isIP(csr.commonName) ? { type: 'ip' as const, value: csr.commonName } : { type: 'dns' as const, value: csr.commonName };
    if (!wanted.has(canonicalSan(cn)) && csr.commonName !== boundUri) throw new AcmeError('badCSR', `the CSR common name "${csr.commonName}" is not one of the order's identifiers`);
  }
  const uris = csr.sans.filter((s) => s.type === 'uri');
  if (uris.length > 0 && !(boundUri && uris.length === 1 && uris[0]?.value === boundUri)) {
    throw new AcmeError('badCSR', `the CSR asks for ${uris.map(describeSan).join(', ')}; URI names are only issued to accounts whose external account binding grants exactly that URI`);
  }
}
