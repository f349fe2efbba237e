import { Resolver } from 'node:dns/promises';
import { AcmeError } from '../problem.js';
import { sha256 } from './key-authorization.js';

/**
 * dns-01 (RFC 8555 §8.4): a TXT record at `_acme-challenge.<domain>` (the wildcard's base domain)
 * must hold base64url(SHA-256(key authorization)). `servers` picks the resolver (`host` or
 * `host:port`); empty means the system's.
 */
export async function validateDns01(domain: string, keyAuthorization: string, servers: readonly string[], timeoutMs = 5000): Promise<void> {
  const name = `_acme-challenge.${domain.replace(/^\*\./, '')}`;
  const expected = sha256(keyAuthorization).toString('base64url');
  const resolver = new Resolver({ timeout: timeoutMs, tries: 2 });
  if (servers.length > 0) resolver.setServers([...servers]);
  let records: string[][];
  try {
    records = await resolver.resolveTxt(name);
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    throw new AcmeError('dns', `dns-01: no TXT record at ${name} (${code || (err as Error).message})`);
  }
  const values = records.map((chunks) => chunks.join(''));
  if (!values.includes(expected)) {
    throw new AcmeError('incorrectResponse', `dns-01: the TXT records at ${name} (${values.map((v) => JSON.stringify(v)).join(', ') || 'none'}) do not include ${JSON.stringify(expected)}`);
  }
}
