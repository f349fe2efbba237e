import { request } from 'node:https';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { identityOfCertificate } from '../../core/tls/spiffe.js';

/** How to reach an instance over HTTPS: whom to trust, what to present, what identity to expect. */
export interface ProbeTarget {
  url: string;
  /** Trusted CA certificates (PEM). */
  ca: string;
  /** Client certificate to present (PEM key and chain), when the instance wants one. */
  key?: string;
  cert?: string;
  /** The SPIFFE identity the instance must present (Phoenix instances); otherwise the host name is checked. */
  identity?: string;
  /** Name to check in the certificate instead of the URL's host (external endpoints). */
  serverName?: string;
}

export interface ProbeAnswer {
  status: number;
  body: string;
}

/** One HTTPS GET of `path` on the target, with a timeout; the body is capped at `maxBytes`. */
export function probe(target: ProbeTarget, path: string, timeoutMs: number, maxBytes = 4 * 1024 * 1024): Promise<ProbeAnswer> {
  const url = new URL(path, target.url);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'GET',
        agent: false,
        ca: target.ca,
        ...(target.key && target.cert ? { key: target.key, cert: target.cert } : {}),
        ...(target.serverName ? { servername: target.serverName } : {}),
        ...(target.identity
          ? {
              checkServerIdentity: (_host: string, cert: PeerCertificate) => {
                const id = identityOfCertificate(cert)?.uri;
                return id === target.identity ? undefined : new Error(`the instance presented ${id ?? 'no identity'}, expected ${target.identity}`);
              },
            }
          : target.serverName
            ? { checkServerIdentity: (_host: string, cert: PeerCertificate) => tlsCheck(target.serverName as string, cert) }
            : {}),
        timeout: timeoutMs,
        headers: { 'user-agent': 'phoenix-agent' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= maxBytes) chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

function tlsCheck(host: string, cert: PeerCertificate): Error | undefined {
  return checkServerIdentity(host, cert);
}
