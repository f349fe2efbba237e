import { createServer as createHttp2Server, type Http2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { guardTlsServer, serverTlsOptions, type ClientCertMode, type IdentityPolicy, type TlsIdentity } from '../core/tls/index.js';
import type { ProxyRequest, ProxyResponse } from './exchange.js';
import { Http1Listener } from './http1/listener.js';
import type { EntrypointTimeouts } from './middleware/timeouts/index.js';

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
  readonly server: TlsServer;
  close(): Promise<void>;
}

/** In-flight requests get this long to finish when the entrypoint closes. */
const CLOSE_GRACE_MS = 5000;

/**
 * A TLS listener for a proxy role: HTTPS (optionally HTTP/2 by ALPN) or mTLS, its certificate
 * swapped in place on renewal, peers checked by identity, and client timeouts that make slow
 * clients (slowloris) cost nothing but a socket for a bounded time. HTTP/1.1 is served by the
 * proxy's own lean server side (src/proxy/http1), HTTP/2 by node:http2 on the same TLS socket.
 */
export async function startEntrypoint(o: EntrypointOptions): Promise<Entrypoint> {
  const t = o.timeouts;
  const http1 = new Http1Listener(o.handler, { header: t.header, idle: t.idle, request: t.header + t.body });
  const h2 = o.http2 ? createHttp2Server({ settings: { maxConcurrentStreams: 256 } }, o.handler) : undefined;
  // An idle HTTP/2 session closes after this (the HTTP/1.1 side's idle timeout is swept).
  h2?.setTimeout(t.idle + t.body);
  const sessions = new Set<Http2Session>();
  h2?.on('session', (s) => {
    sessions.add(s);
    s.once('close', () => sessions.delete(s));
  });
  const tls = serverTlsOptions(o.identity, o.clientCert, o.http2 ? ['h2', 'http/1.1'] : ['http/1.1']);
  const server = createTlsServer({ ...tls, handshakeTimeout: t.header }, (socket: TLSSocket) => {
    if (h2 && socket.alpnProtocol === 'h2') {
      // Every answer is one write: Nagle's algorithm could only delay it.
      socket.setNoDelay(true);
      h2.emit('connection', socket);
    } else {
      http1.accept(socket);
    }
  });
  const unguard = guardTlsServer(server, { identity: o.identity, logger: o.logger, ...(o.policy ? { policy: o.policy } : {}) });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    server,
    close: async () => {
      unguard();
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          http1.closeAll();
          for (const s of sessions) s.destroy();
        }, CLOSE_GRACE_MS).unref();
        server.close(() => {
          clearTimeout(force);
          http1.closeAll();
          resolve();
        });
        for (const s of sessions) s.close();
        http1.closeIdle();
      });
    },
  };
}
