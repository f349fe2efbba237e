import { PhoenixError } from '../core/errors.js';
import type { Backend } from './backend.js';
import type { Exchange, ProxyRequest } from './exchange.js';
import type { UpstreamControl, UpstreamHandler } from './upstream/pool.js';

/** Why a forward failed, which decides whether it may be sent again elsewhere. */
export type FailureKind = 'connect' | 'timeout' | 'reset';

export class UpstreamError extends PhoenixError {
  constructor(
    readonly kind: FailureKind,
    /** The request was never written to a connection: safe to send again, whatever its method. */
    readonly notSent: boolean,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(kind === 'timeout' ? 'PROXY_UPSTREAM_TIMEOUT' : 'PROXY_UPSTREAM_FAILED', kind === 'timeout' ? 504 : 502, message, options);
  }
}

const EMPTY = Buffer.alloc(0);

/** Answers up to this size are held until complete and written at once. */
const HOLD_LIMIT = 64 * 1024;

/** Response headers never passed on (hop-by-hop, RFC 9110 §7.6.1; HTTP/2 forbids them too). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'proxy-authenticate', 'proxy-authorization']);

type HeadWriter = { writeHead(status: number, headers: string[]): unknown };

/** How one attempt ended: the upstream status (499 when the client went away first), or why it failed. */
export type ForwardDone = (err: UpstreamError | undefined, status: number) => void;

/**
 * Sends one attempt of `ex` to `backend` over its pooled keep-alive connections and passes the
 * answer to the client as it arrives (small answers in one write, larger ones streamed with
 * backpressure). Calls `done` once: with the upstream status when the answer is complete (499 when
 * the client went away first), or with an UpstreamError when the backend failed before any of the
 * answer reached the client — the caller may then try another backend. A callback rather than a
 * promise: this is the per-request path, and promises here cost allocations and microtask turns.
 */
export function forwardOnce(ex: Exchange, backend: Backend, headers: string[], body: Buffer | ProxyRequest | null, timeoutMs: number, done: ForwardDone): void {
  const handler = new ForwardHandler(ex, backend, done);
  backend.inFlight++;
  handler.control = backend.pool.dispatch({ method: ex.method, path: ex.url, headers, body, timeoutMs }, handler);
  handler.watchClient();
}

/** Headers this hop sets itself replace the upstream's. */
function setHere(own: readonly string[], name: string): boolean {
  for (let i = 0; i < own.length; i += 2) if (own[i] === name) return true;
  return false;
}

class ForwardHandler implements UpstreamHandler {
  control: UpstreamControl | undefined;
  private status = 0;
  private done = false;
  private readonly startedAt = performance.now();
  private onClientClose: (() => void) | undefined;
  /** A small answer held until complete: its headers, and its body (one chunk, or several). */
  private held: string[] | undefined;
  private heldBody: Buffer | undefined;
  private heldChunks: Buffer[] | undefined;
  private paused = false;

  constructor(
    private readonly ex: Exchange,
    private readonly backend: Backend,
    private readonly settle: ForwardDone,
  ) {}

  /** Stops the upstream exchange when the client goes away. */
  watchClient(): void {
    if (this.done) return;
    this.onClientClose = () => {
      if (!this.done) this.control?.abort();
    };
    this.ex.res.once('close', this.onClientClose);
  }

  onHeaders(statusCode: number, upstream: string[]): void {
    this.status = statusCode;
    this.ex.upstreamMs = performance.now() - this.startedAt;
    const transform = this.ex.transformBody !== undefined;
    const own = this.ex.responseHeaders;
    const out = own.slice();
    let length = -1;
    for (let i = 0; i < upstream.length; i += 2) {
      const name = upstream[i] as string;
      if (HOP_BY_HOP.has(name) || setHere(own, name)) continue;
      const value = upstream[i + 1] as string;
      if (name === 'content-length') {
        length = Number(value);
        if (transform) continue;
      }
      out.push(name, value);
    }
    if (this.ex.res.destroyed) return;
    if (transform || (length >= 0 && length <= HOLD_LIMIT)) {
      // Small answers (most Qdrant answers) are sent in one write once complete.
      this.held = out;
      return;
    }
    (this.ex.res as unknown as HeadWriter).writeHead(statusCode, out);
  }

  onData(chunk: Buffer): boolean {
    if (this.held) {
      if (this.heldBody === undefined) this.heldBody = chunk;
      else (this.heldChunks ??= [this.heldBody]).push(chunk);
      return true;
    }
    const res = this.ex.res;
    if ((res as { write(chunk: Buffer): boolean }).write(chunk)) return true;
    if (!this.paused) {
      this.paused = true;
      res.once('drain', () => {
        this.paused = false;
        this.control?.resume();
      });
    }
    return false;
  }

  onComplete(): void {
    this.finish();
    const res = this.ex.res;
    const held = this.held;
    if (held && !res.destroyed) {
      let body = this.heldChunks ? Buffer.concat(this.heldChunks) : (this.heldBody ?? EMPTY);
      if (this.ex.transformBody) {
        body = this.ex.transformBody(this.status, body);
        held.push('content-length', String(body.length));
      }
      (res as unknown as HeadWriter).writeHead(this.status, held);
      res.end(body);
    } else if (!res.destroyed) {
      res.end();
    }
    this.settle(undefined, this.status);
  }

  onError(err: Error & { code?: string }, sent: boolean): void {
    this.finish();
    const res = this.ex.res;
    if (res.destroyed && !res.headersSent) {
      // The client went away before the answer: nothing to send, nothing to retry (nginx's 499).
      this.settle(undefined, 499);
      return;
    }
    this.held = undefined;
    if (res.headersSent) {
      // The answer had started: the client gets a cut-off answer, as from the backend itself.
      res.destroy();
      this.settle(undefined, this.status || 502);
      return;
    }
    const kind: FailureKind = !sent ? 'connect' : err.code === 'UND_ERR_HEADERS_TIMEOUT' ? 'timeout' : 'reset';
    const message =
      kind === 'timeout'
        ? `upstream ${this.backend.url} did not answer within the response timeout`
        : `upstream ${this.backend.url} failed${kind === 'connect' ? ' to connect' : ''}: ${err.message}`;
    this.settle(new UpstreamError(kind, !sent, message, { cause: err }), 0);
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.backend.inFlight--;
    if (this.onClientClose) this.ex.res.off('close', this.onClientClose);
  }
}
