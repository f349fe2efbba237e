import { createHash } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Identifier } from '../records.js';

/** RFC 8555 §8.1: `token || '.' || base64url(JWK thumbprint of the account key)`. */
export function keyAuthorization(token: string, accountThumbprint: string): string {
  return `${token}.${accountThumbprint}`;
}

export function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Addresses to connect to for an identifier: the IP itself, or what the system resolver returns. */
export async function addressesOf(identifier: Identifier): Promise<string[]> {
  if (identifier.type === 'ip') return [identifier.value];
  const found = await lookup(identifier.value, { all: true, verbatim: false });
  return found.map((a) => a.address);
}

/** `host:port` for messages and Host headers (IPv6 in brackets). */
export function hostPort(host: string, port: number): string {
  return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}

/** RFC 8738 §6: the SNI of a tls-alpn-01 check for an IP identifier (reverse-mapping name). */
export function reverseName(ip: string): string {
  if (isIP(ip) === 4) return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
  const full = new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  const groups = full.split(':');
  const expanded: string[] = [];
  for (const g of groups) {
    if (g === '') {
      const missing = 8 - groups.filter((x) => x !== '').length;
      for (let i = 0; i < missing && expanded.length < 8; i++) expanded.push('0000');
    } else expanded.push(g.padStart(4, '0'));
  }
  return `${expanded.join('').split('').reverse().join('.')}.ip6.arpa`;
}
