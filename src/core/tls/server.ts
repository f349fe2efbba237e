import type { Server as TlsServer, TLSSocket, SecureContextOptions, TlsOptions } from 'node:tls';
import type { Logger } from 'pino';
import type { TlsIdentity } from './identity.js';
import { peerIdentity, type IdentityPolicy } from './spiffe.js';
import { onRevocationUpdate, revocationListOf } from './crl.js';

/**
 * TLS settings for a listener holding `identity`.
 * - `clientCert: 'required'` (mTLS): the handshake fails without a certificate from our CA.
 * - `clientCert: 'optional'`: a certificate is requested and verified when sent; handlers decide.
 * - `clientCert: 'none'`: plain HTTPS (the gateway's public side).
 */
export type ClientCertMode = 'required' | 'optional' | 'none';

export function serverTlsOptions(identity: TlsIdentity, clientCert: ClientCertMode, alpn?: string[]): TlsOptions {
  return {
    ...secureContextOptions(identity),
    requestCert: clientCert !== 'none',
    rejectUnauthorized: clientCert === 'required',
    minVersion: 'TLSv1.2',
    ...(alpn ? { ALPNProtocols: alpn } : {}),
  };
}

export function secureContextOptions(identity: TlsIdentity): SecureContextOptions {
  const c = identity.current;
  return { key: c.keyPem, cert: c.chainPem, ca: identity.rootPem };
}

export interface GuardOptions {
  identity: TlsIdentity;
  /** Peers allowed to connect; unset means any peer the TLS settings accept. */
  policy?: IdentityPolicy;
  logger: Logger;
}

/**
 * Keeps a TLS listener's certificate current (swapping its secure context in place on renewal, so
 * open connections continue) and refuses peers whose verified identity the policy does not allow:
 * the connection is closed right after the handshake, before any request is read. When a
 * revocation list is attached to the identity (`attachRevocationList`), peers presenting a revoked
 * certificate are refused the same way, and open connections of peers revoked later are closed
 * when the list is next refreshed.
 * Returns a function that detaches the renewal subscription.
 */
export function guardTlsServer(server: TlsServer, options: GuardOptions): () => void {
  const { identity, policy, logger } = options;
  const unsubscribeRenewal = identity.onRenewed(() => {
    server.setSecureContext(secureContextOptions(identity));
    logger.debug('listener certificate swapped');
  });
  const peers = new Map<TLSSocket, string>();
  server.on('secureConnection', (socket: TLSSocket) => {
    const serial = socket.authorized ? socket.getPeerCertificate()?.serialNumber : undefined;
    if (!serial) return;
    if (revocationListOf(identity)?.isRevoked(serial)) {
      logger.warn({ peer: peerIdentity(socket)?.uri ?? null, serial, remote: socket.remoteAddress }, 'refused TLS peer: certificate revoked');
      socket.destroy();
      return;
    }
    peers.set(socket, serial);
    socket.once('close', () => peers.delete(socket));
  });
  const unsubscribeRevocations = onRevocationUpdate(identity, () => {
    const list = revocationListOf(identity);
    for (const [socket, serial] of peers) {
      if (list?.isRevoked(serial)) {
        logger.warn({ serial, remote: socket.remoteAddress }, 'closing connection of a peer whose certificate was revoked');
        socket.destroy();
      }
    }
  });
  const unsubscribe = () => {
    unsubscribeRenewal();
    unsubscribeRevocations();
  };
  if (policy) {
    server.on('secureConnection', (socket: TLSSocket) => {
      const peer = peerIdentity(socket);
      if (!policy.allows(peer)) {
        logger.warn(
          { peer: peer?.uri ?? null, remote: socket.remoteAddress, allowed: policy.describe(), reason: socket.authorizationError ?? null },
          'refused TLS peer: identity not allowed on this listener',
        );
        socket.destroy();
      }
    });
  }
  server.on('tlsClientError', (err, socket) => {
    logger.debug({ err: err.message, remote: socket.remoteAddress }, 'TLS handshake failed');
  });
  return unsubscribe;
}
