import { createServer as createHttpsServer } from 'node:https';
import { createSecureServer, type Http2SecureServer } from 'node:http2';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { closeServer } from '../core/http.js';
import { guardTlsServer, serverTlsOptions, type ClientCertMode, type IdentityPolicy, type TlsIdentity } from '../core/tls/index.js';
import type { ProxyRequest, ProxyResponse } from './exchange.js';
import { applyServerTimeouts, timeoutServerOptions, type EntrypointTimeouts } from './middleware/timeouts/index.js';

export interface EntrypointOptions {
  host: string;
  port: number;
  identity: TlsIdentity;
  /** `required` for mTLS listeners (router), `none` for the public HTTPS side (gateway). */
  clientCert: ClientCertMode;
  /** Peers allowed on an mTLS listener. */
  policy?: IdentityPolicy;
  /** Offer HTTP/2 by ALPN (`h2`, then `http/1.1`). */
  http2: boolean;
  timeouts: EntrypointTimeouts;
  logger: Logger;
  handler: (req: ProxyRequest, res: ProxyResponse) => void;
}

export interface Entrypoint {
  readonly port: number;
  readonly server: HttpsServer | Http2SecureServer;
  close(): Promise<void>;
}

/**
 * A TLS listener for a proxy role: HTTPS (optionally HTTP/2 by ALPN) or mTLS, its certificate
 * swapped in place on renewal, peers checked by identity, and client timeouts that make slow
 * clients (slowloris) cost nothing but a socket for a bounded time.
 */
export async function startEntrypoint(o: EntrypointOptions): Promise<Entrypoint> {
  const tls = serverTlsOptions(o.identity, o.clientCert, o.http2 ? ['h2', 'http/1.1'] : ['http/1.1']);
  const server = o.http2
    ? createSecureServer({ ...tls, allowHTTP1: true, ...timeoutServerOptions(o.timeouts), settings: { maxConcurrentStreams: 256 } }, o.handler)
    : createHttpsServer({ ...tls, ...timeoutServerOptions(o.timeouts), noDelay: true }, o.handler);
  applyServerTimeouts(server, o.timeouts);
  // The HTTP/2 server (and its HTTP/1.1 fallback) does not take `noDelay`: every answer is one
  // write, so Nagle's algorithm can only delay it, never merge anything useful.
  if (o.http2) server.on('secureConnection', (socket: { setNoDelay(on: boolean): unknown }) => socket.setNoDelay(true));
  const unguard = guardTlsServer(server, { identity: o.identity, logger: o.logger, ...(o.policy ? { policy: o.policy } : {}) });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const sessions = new Set<{ close(): void }>();
  if (o.http2) {
    (server as Http2SecureServer).on('session', (s) => {
      sessions.add(s);
      s.once('close', () => sessions.delete(s));
    });
  }
  return {
    port: (server.address() as AddressInfo).port,
    server,
    close: async () => {
      unguard();
      for (const s of sessions) s.close();
      await closeServer(server as unknown as HttpsServer);
    },
  };
}
