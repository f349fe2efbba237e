import { checkServerIdentity, connect, createSecureContext, type ConnectionOptions, type PeerCertificate, type SecureContext, type TLSSocket } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { identityOfCertificate, IdentityPolicy, revocationListOf, type TlsIdentity } from '../../core/tls/index.js';
import type { ServerSpec } from '../dynamic-config.js';
import type { BodyStream } from '../exchange.js';
import { ProtocolError, ResponseParser, type ResponseSink } from './response-parser.js';

/** What one upstream exchange reports, in order: head, body chunks, end — or one error. */
export interface UpstreamHandler {
  onHeaders(status: number, headers: string[]): void;
  /** Return false to pause the connection until `resume()` on the returned control. */
  onData(chunk: Buffer): boolean;
  onComplete(): void;
  /** `sent`: bytes of the request reached a connection (the backend may have seen it). */
  onError(err: Error & { code?: string }, sent: boolean): void;
}

export interface UpstreamRequest {
  method: string;
  /** Path and query. */
  path: string;
  /** `[name, value, …]`, the Host header included. */
  headers: readonly string[];
  body: Buffer | BodyStream | null;
  /** Time allowed until the head of the answer, and between body chunks. */
  timeoutMs: number;
}

export interface UpstreamControl {
  abort(): void;
  resume(): void;
}

export interface UpstreamPoolOptions {
  /** `https://host:port` */
  url: string;
  identity: TlsIdentity;
  /** Identities the backend may present (a Phoenix replica; unused with `trust`). */
  serverPolicy?: IdentityPolicy;
  connectTimeoutMs?: number;
  /**
   * A server outside Phoenix's PKI (a real Qdrant node): trust exactly this PEM CA bundle instead of
   * Phoenix's root and check the host name `serverName` instead of a SPIFFE identity. The pool
   * still presents its own certificate (a node requiring mTLS with Phoenix's CA accepts it).
   */
  trust?: { ca: string; serverName: string };
  /** Idle keep-alive connections close after this long (shorter than the servers' own). */
  idleTimeoutMs?: number;
}

const UNSAFE_VALUE = /[\r\n\0]/;
/** Bodies up to this size go out in the same buffer as the head. */
const COPY_LIMIT = 16 * 1024;

function upstreamError(message: string, code: string): Error & { code: string } {
  return Object.assign(new Error(message), { code });
}

/**
 * Keep-alive mTLS connections to one backend, speaking HTTP/1.1 with one request per connection at
 * a time and no limit on connections (no request waits behind another: no head-of-line queueing).
 * Written for the proxy's hot path: a request is one corked write of head and body, the answer is
 * parsed incrementally straight into the handler, the TLS context is built once per certificate
 * (renewals rebuild it) and sessions are resumed. The backend must present an allowed SPIFFE
 * identity and a certificate not on the CRL.
 */
export class UpstreamPool {
  private readonly host: string;
  private readonly port: number;
  private readonly idle: UpstreamConnection[] = [];
  private readonly all = new Set<UpstreamConnection>();
  private context: SecureContext;
  private session: Buffer | undefined;
  private closed = false;
  /** Why this pool can never connect (its trust roots are unusable); set once, at construction. */
  readonly unusable: string | undefined;
  private readonly unsubscribe: () => void;
  private readonly idleTimeoutMs: number;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly options: UpstreamPoolOptions) {
    const u = new URL(options.url);
    this.host = u.hostname.replace(/^\[|\]$/g, '');
    this.port = Number(u.port || 443);
    this.unusable = options.trust ? caBundleProblem(options.trust.ca) : undefined;
    // An unusable pool is closed from the start: dispatch answers with the reason, no new branch
    // on the hot path.
    if (this.unusable !== undefined) this.closed = true;
    this.context = this.buildContext();
    this.idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
    this.unsubscribe =
      this.unusable !== undefined
        ? () => undefined
        : options.identity.onRenewed(() => {
            this.context = this.buildContext();
            this.session = undefined;
          });
  }

  get connections(): number {
    return this.all.size;
  }

  dispatch(req: UpstreamRequest, handler: UpstreamHandler): UpstreamControl {
    if (this.closed) {
      handler.onError(this.unusable !== undefined ? upstreamError(this.unusable, 'UPSTREAM_TRUST') : upstreamError('upstream pool closed', 'UPSTREAM_CLOSED'), false);
      return { abort() {}, resume() {} };
    }
    let conn = this.idle.pop();
    while (conn && !conn.usable) conn = this.idle.pop();
    return (conn ?? this.open()).start(req, handler);
  }

  /** A GET whose answer body is discarded: for health checks. Resolves with the status. */
  request(path: string, timeoutMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      let status = 0;
      this.dispatch(
        { method: 'GET', path, headers: ['host', `${this.host}:${this.port}`], body: null, timeoutMs },
        { onHeaders: (s) => (status = s), onData: () => true, onComplete: () => resolve(status), onError: (err) => reject(err) },
      );
    });
  }

  release(conn: UpstreamConnection): void {
    if (this.closed) return conn.destroy();
    conn.idleSince = Date.now();
    this.idle.push(conn);
    // One timer per pool closes connections idle too long (no per-request socket timeout to set
    // and clear on the hot path).
    this.sweeper ??= setTimeout(() => this.sweep(), Math.max(100, this.idleTimeoutMs / 2)).unref();
  }

  private sweep(): void {
    this.sweeper = undefined;
    const cutoff = Date.now() - this.idleTimeoutMs;
    // The idle list is a stack: the longest idle are at the bottom.
    let n = 0;
    while (n < this.idle.length && (this.idle[n] as UpstreamConnection).idleSince <= cutoff) n++;
    for (const c of this.idle.splice(0, n)) c.destroy();
    if (this.idle.length > 0 && !this.closed) this.sweeper = setTimeout(() => this.sweep(), Math.max(100, this.idleTimeoutMs / 2)).unref();
  }

  forget(conn: UpstreamConnection): void {
    this.all.delete(conn);
    const i = this.idle.indexOf(conn);
    if (i >= 0) this.idle.splice(i, 1);
  }

  /** Closes idle connections now and the others when their exchange ends. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    if (this.sweeper) clearTimeout(this.sweeper);
    for (const c of this.idle.splice(0)) c.destroy();
    for (const c of this.all) c.closeWhenDone();
  }

  private open(): UpstreamConnection {
    const options: ConnectionOptions = {
      host: this.host,
      port: this.port,
      secureContext: this.context,
      rejectUnauthorized: true,
      ALPNProtocols: ['http/1.1'],
      // The SPIFFE identity replaces the host name check (backends are reached by address);
      // an external server is checked by name against its own CA.
      checkServerIdentity: (_host: string, cert: PeerCertificate) => this.checkServer(cert),
    };
    if (this.session) options.session = this.session;
    const sni = this.options.trust?.serverName ?? this.host;
    if (!/^[\d.]+$/.test(sni) && !sni.includes(':')) options.servername = sni;
    const socket = connect(options);
    socket.on('session', (s: Buffer) => (this.session = s));
    const conn = new UpstreamConnection(this, socket, this.options.connectTimeoutMs ?? 5000);
    this.all.add(conn);
    return conn;
  }

  private checkServer(cert: PeerCertificate): Error | undefined {
    const trust = this.options.trust;
    if (trust) {
      const err = checkServerIdentity(trust.serverName, cert);
      return err ? new Error(`external server certificate does not match the name ${trust.serverName}: ${err.message}`) : undefined;
    }
    const id = identityOfCertificate(cert);
    if (revocationListOf(this.options.identity)?.isRevoked(cert.serialNumber)) return new Error(`server certificate ${cert.serialNumber} (${id?.uri ?? 'no identity'}) is revoked`);
    if (this.options.serverPolicy?.allows(id)) return undefined;
    return new Error(`server identity ${id?.uri ?? '(none)'} is not allowed; expected ${this.options.serverPolicy?.describe() ?? '(no policy)'}`);
  }

  private buildContext(): SecureContext {
    const c = this.options.identity.current;
    const ca = this.options.trust && this.unusable === undefined ? this.options.trust.ca : this.options.identity.rootPem;
    return createSecureContext({ key: c.keyPem, cert: c.chainPem, ca, minVersion: 'TLSv1.2' });
  }
}

/** Why a PEM CA bundle cannot serve as trust roots, or undefined when every certificate in it parses. */
export function caBundleProblem(pem: string): string | undefined {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) return 'the CA bundle holds no PEM certificate (-----BEGIN CERTIFICATE-----)';
  for (const [i, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch (err) {
      return `certificate ${i + 1} of the CA bundle does not parse: ${(err as Error).message}`;
    }
  }
  return undefined;
}

/** Control of one exchange: once the connection serves another, it does nothing. */
class ExchangeControl implements UpstreamControl {
  constructor(
    private readonly conn: UpstreamConnection,
    private readonly handler: UpstreamHandler,
  ) {}

  abort(): void {
    this.conn.abortFor(this.handler);
  }

  resume(): void {
    this.conn.resumeFor(this.handler);
  }
}

/** One keep-alive connection: at most one exchange at a time. */
class UpstreamConnection implements ResponseSink {
  /** When the connection last went back to the pool (for the idle sweep). */
  idleSince = 0;
  private connected = false;
  private handler: UpstreamHandler | undefined;
  private request: UpstreamRequest | undefined;
  private parser: ResponseParser | undefined;
  /** The response timeout: one timer per connection, re-armed only when it fires early. */
  private timer: NodeJS.Timeout | undefined;
  private timerDue = 0;
  private deadline = 0;
  private timeoutMs = 0;
  private sent = false;
  private closing = false;
  private dead = false;

  constructor(
    private readonly pool: UpstreamPool,
    private readonly socket: TLSSocket,
    connectTimeoutMs: number,
  ) {
    socket.setNoDelay(true);
    const connectTimer = setTimeout(() => this.fail(upstreamError(`connect timeout after ${connectTimeoutMs} ms`, 'UND_ERR_CONNECT_TIMEOUT')), connectTimeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(connectTimer);
      this.connected = true;
      if (this.request) this.write();
    });
    socket.on('data', (d: Buffer) => this.onSocketData(d));
    socket.on('error', (err: Error) => {
      clearTimeout(connectTimer);
      this.fail(err);
    });
    socket.on('close', () => {
      clearTimeout(connectTimer);
      this.onSocketClose();
    });
    // The server closed its side: never hand this connection out again.
    socket.on('end', () => {
      this.dead = true;
      if (!this.handler) this.destroy();
    });
  }

  get usable(): boolean {
    return !this.dead && !this.closing && this.socket.writable;
  }

  start(req: UpstreamRequest, handler: UpstreamHandler): UpstreamControl {
    this.request = req;
    this.handler = handler;
    this.sent = false;
    this.parser = new ResponseParser(this, req.method === 'HEAD');
    if (this.connected) this.write();
    return new ExchangeControl(this, handler);
  }

  /** Aborts the exchange of `handler` if it is still this connection's. */
  abortFor(handler: UpstreamHandler): void {
    if (this.handler === handler) this.fail(upstreamError('request aborted', 'UND_ERR_ABORTED'));
  }

  resumeFor(handler: UpstreamHandler): void {
    if (this.handler === handler) this.socket.resume();
  }

  private write(): void {
    const req = this.request as UpstreamRequest;
    let head = `${req.method} ${req.path} HTTP/1.1\r\n`;
    const h = req.headers;
    for (let i = 0; i < h.length; i += 2) {
      const value = h[i + 1] as string;
      if (UNSAFE_VALUE.test(value)) return this.fail(upstreamError(`header ${h[i]} has a line break`, 'UPSTREAM_BAD_HEADER'), false);
      head += `${h[i] as string}: ${value}\r\n`;
    }
    head += '\r\n';
    this.timeoutMs = req.timeoutMs;
    this.deadline = Date.now() + req.timeoutMs;
    if (this.timer === undefined || this.timerDue > this.deadline) this.arm(req.timeoutMs);
    this.sent = true;
    const s = this.socket;
    const body = req.body;
    if (body === null) {
      s.write(head, 'latin1');
    } else if (Buffer.isBuffer(body) && body.length <= COPY_LIMIT) {
      // Head and a small body copied into one buffer: one plain write (no cork, no writev).
      const out = Buffer.allocUnsafe(head.length + body.length);
      out.write(head, 0, 'latin1');
      body.copy(out, head.length);
      s.write(out);
    } else if (Buffer.isBuffer(body)) {
      s.cork();
      s.write(head, 'latin1');
      s.write(body);
      s.uncork();
    } else {
      s.write(head, 'latin1');
      const stream = body;
      const onData = (chunk: Buffer) => {
        if (!s.write(chunk)) stream.pause();
      };
      const onDrain = () => stream.resume();
      stream.on('data', onData);
      s.on('drain', onDrain);
      stream.once('end', () => {
        stream.off('data', onData);
        s.off('drain', onDrain);
      });
      stream.resume();
    }
  }

  private arm(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timerDue = Date.now() + ms;
    this.timer = setTimeout(this.onTimer, ms).unref();
  }

  /** Fires at the earliest deadline; progress since it was armed moved the deadline later. */
  private readonly onTimer = (): void => {
    this.timer = undefined;
    if (!this.handler) return;
    const left = this.deadline - Date.now();
    if (left > 0) this.arm(left);
    else this.fail(upstreamError('no answer within the response timeout', 'UND_ERR_HEADERS_TIMEOUT'));
  };

  onHead(status: number, headers: string[]): void {
    this.deadline = Date.now() + this.timeoutMs;
    this.handler?.onHeaders(status, headers);
  }

  onBody(chunk: Buffer): void {
    this.deadline = Date.now() + this.timeoutMs;
    if (this.handler && this.handler.onData(chunk) === false) this.socket.pause();
  }

  onEnd(): void {
    const handler = this.handler;
    const keepAlive = (this.parser as ResponseParser).keepAlive;
    this.reset();
    if (keepAlive && !this.closing && !this.dead) {
      this.pool.release(this);
    } else {
      this.destroy();
    }
    handler?.onComplete();
  }

  private onSocketData(d: Buffer): void {
    const parser = this.parser;
    if (!parser || !this.handler) {
      // Bytes with no request outstanding: the server misbehaves; never reuse this connection.
      return this.destroy();
    }
    try {
      parser.feed(d);
    } catch (err) {
      this.fail(err instanceof ProtocolError ? upstreamError(err.message, 'UPSTREAM_PROTOCOL') : (err as Error));
    }
  }

  private onSocketClose(): void {
    this.dead = true;
    this.pool.forget(this);
    if (!this.handler) return;
    if (this.parser?.end()) return; // an answer read to the close is complete
    this.fail(upstreamError('other side closed', this.connected ? 'UND_ERR_SOCKET' : 'ECONNRESET'));
  }

  private fail(err: Error & { code?: string }, sent = this.sent): void {
    const handler = this.handler;
    this.reset();
    this.destroy();
    handler?.onError(err, sent);
  }

  private reset(): void {
    this.handler = undefined;
    this.request = undefined;
    this.parser = undefined;
  }

  closeWhenDone(): void {
    this.closing = true;
    if (!this.handler) this.destroy();
  }

  destroy(): void {
    this.dead = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pool.forget(this);
    if (!this.socket.destroyed) this.socket.destroy();
  }
}

/**
 * The pool for one configured server: a Phoenix replica (mTLS, Phoenix's root, its SPIFFE identity
 * checked) or an external server (its own CA bundle, its host name checked).
 */
export function upstreamPoolFor(server: ServerSpec, identity: TlsIdentity): UpstreamPool {
  if (server.ca !== undefined) {
    const serverName = server.serverName ?? new URL(server.url).hostname.replace(/^\[|\]$/g, '');
    return new UpstreamPool({ url: server.url, identity, trust: { ca: server.ca, serverName } });
  }
  return new UpstreamPool({ url: server.url, identity, serverPolicy: IdentityPolicy.fromPattern(server.identity ?? '') });
}
