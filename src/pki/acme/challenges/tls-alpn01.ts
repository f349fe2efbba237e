import { connect, type TLSSocket } from 'node:tls';
import { x509 } from '../../../core/tls/x509.js';
import { AcmeError } from '../problem.js';
import type { Identifier } from '../records.js';
import { addressesOf, hostPort, reverseName, sha256 } from './key-authorization.js';

/** id-pe-acmeIdentifier (RFC 8737 §3). */
export const ACME_IDENTIFIER_OID = '1.3.6.1.5.5.7.1.31';
export const ACME_TLS_ALPN = 'acme-tls/1';

/**
 * tls-alpn-01 (RFC 8737; RFC 8738 for IPs): a TLS handshake offering only `acme-tls/1`, SNI the
 * identifier, must negotiate that protocol and present a certificate whose only SAN is the
 * identifier and whose critical acmeIdentifier extension holds SHA-256 of the key authorization.
 */
export async function validateTlsAlpn01(identifier: Identifier, expectedKeyAuthorization: string, port: number, timeoutMs = 10_000): Promise<void> {
  const addresses = await addressesOf(identifier).catch((err: Error) => {
    throw new AcmeError('dns', `cannot resolve ${identifier.value}: ${err.message}`);
  });
  const servername = identifier.type === 'ip' ? reverseName(identifier.value) : identifier.value;
  let lastError: AcmeError | undefined;
  for (const address of addresses) {
    let raw: Buffer;
    try {
      raw = await handshake(address, port, servername, timeoutMs);
    } catch (err) {
      lastError = err instanceof AcmeError ? err : new AcmeError('connection', `tls-alpn-01: ${(err as Error).message}`);
      if (lastError.acmeType !== 'connection') throw lastError;
      continue;
    }
    checkCertificate(raw, identifier, sha256(expectedKeyAuthorization), hostPort(identifier.value, port));
    return;
  }
  throw lastError ?? new AcmeError('dns', `${identifier.value} resolves to no address`);
}

function handshake(address: string, port: number, servername: string, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket: TLSSocket = connect({ host: address, port, servername, ALPNProtocols: [ACME_TLS_ALPN], rejectUnauthorized: false, timeout: timeoutMs }, () => {
      const alpn = socket.alpnProtocol;
      const cert = socket.getPeerCertificate(false);
      socket.destroy();
      if (alpn !== ACME_TLS_ALPN) {
        reject(new AcmeError('tls', `tls-alpn-01: ${hostPort(address, port)} negotiated ${alpn ? `"${alpn}"` : 'no protocol'} instead of "${ACME_TLS_ALPN}"`));
        return;
      }
      if (!cert?.raw) {
        reject(new AcmeError('tls', `tls-alpn-01: ${hostPort(address, port)} presented no certificate`));
        return;
      }
      resolve(cert.raw);
    });
    socket.on('timeout', () => socket.destroy(new Error(`no TLS handshake within ${timeoutMs} ms`)));
    socket.on('error', (err) => reject(new AcmeError('connection', `tls-alpn-01: cannot complete a TLS handshake with ${hostPort(address, port)}: ${err.message}`)));
  });
}

function checkCertificate(raw: Buffer, identifier: Identifier, digest: Buffer, where: string): void {
  let cert: x509.X509Certificate;
  try {
    cert = new x509.X509Certificate(raw);
  } catch (err) {
    throw new AcmeError('tls', `tls-alpn-01: ${where} presented an unreadable certificate: ${(err as Error).message}`);
  }
  const names = cert.getExtension(x509.SubjectAlternativeNameExtension)?.names.items ?? [];
  const wantedType = identifier.type === 'ip' ? 'ip' : 'dns';
  if (names.length !== 1 || names[0]?.type !== wantedType || names[0].value.toLowerCase() !== identifier.value.toLowerCase()) {
    throw new AcmeError('unauthorized', `tls-alpn-01: the certificate from ${where} must name exactly ${identifier.value}; it names ${names.map((n) => n.value).join(', ') || 'nothing'}`);
  }
  const ext = cert.getExtension(ACME_IDENTIFIER_OID);
  if (!ext) throw new AcmeError('unauthorized', `tls-alpn-01: the certificate from ${where} has no acmeIdentifier extension`);
  if (!ext.critical) throw new AcmeError('unauthorized', `tls-alpn-01: the acmeIdentifier extension from ${where} must be critical`);
  const value = Buffer.from(ext.value);
  const ok = value.length === 34 && value[0] === 0x04 && value[1] === 0x20 && value.subarray(2).equals(digest);
  if (!ok) throw new AcmeError('unauthorized', `tls-alpn-01: the acmeIdentifier extension from ${where} does not hold the SHA-256 of the key authorization`);
}
