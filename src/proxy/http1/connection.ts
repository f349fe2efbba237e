import type { TLSSocket } from 'node:tls';
import { ChunkedDecoder } from './chunked-decoder.js';
import { parseRequestHead, RequestHeadError, type RequestHead } from './request-head.js';
import { Http1Request, type BodySource } from './request.js';
import { Http1Response, type ResponseSink } from './response.js';

/** A request head larger than this is refused with 431 (node:http's default). */
export const MAX_HEAD = 16 * 1024;
/** Bytes of pipelined requests held while one is answered, before reading pauses. */
const MAX_PIPELINED = 64 * 1024;
const CRLF2 = Buffer.from('\r\n\r\n');
/**
 * After an answer that closes the connection, the client gets this long to read it and close its
 * side (what it still sends is read and dropped, so it sees the answer rather than a reset); then
 * the connection is destroyed.
 */
const LINGER_MS = 1000;

export type Http1Handler = (req: Http1Request, res: Http1Response) => void;

/**
 * One client connection of the HTTP/1.1 listener: reads request heads and bodies straight from the
 * TLS socket, hands each request to the handler, and serves the next one (keep-alive, pipelined
 * requests in order) once the answer is complete. Phases are timed by the listener's sweep (no
 * timer per request): `headSince` while a head is awaited, `idleSince` between requests.
 */
export class Http1Connection implements BodySource, ResponseSink {
  private input: Buffer | undefined;
  private req: Http1Request | undefined;
  private res: Http1Response | undefined;
  /** Body bytes still expected (Content-Length framing). */
  private remaining = 0;
  private decoder: ChunkedDecoder | undefined;
  /** When the current head started to arrive (or the connection opened); 0 when not reading a head. */
  headSince: number;
  /** When the connection went idle between requests; 0 when not idle. */
  idleSince = 0;
  /** When the current request's head was complete. */
  requestSince = 0;
  /** Close once the current exchange ends (the listener is closing). */
  closing = false;
  private readingPaused = false;
  /** No more requests: the connection is closing (since `endedAt`). */
  private dead = false;
  private endedAt = 0;
  /** The body was malformed: nothing after it on this connection can be read. */
  private broken = false;
  private readonly onData = (d: Buffer) => {
    try {
      this.received(d);
    } catch {
      // A fault here must not take the process down: this connection alone is dropped.
      this.destroy();
    }
  };

  constructor(
    readonly socket: TLSSocket,
    private readonly handler: Http1Handler,
    private readonly forget: (c: Http1Connection) => void,
  ) {
    this.headSince = Date.now();
    socket.on('data', this.onData);
    socket.on('error', () => this.destroy());
    socket.on('close', () => this.closed());
    socket.on('drain', () => this.res?.emit('drain'));
  }

  /** No request in progress and nothing of the next one received. */
  get idle(): boolean {
    return this.req === undefined && this.input === undefined;
  }

  /** The request's body is still arriving. */
  get readingBody(): boolean {
    return this.req !== undefined && (this.remaining > 0 || this.decoder !== undefined);
  }

  private received(d: Buffer): void {
    if (this.dead) return;
    if (this.req !== undefined && this.readingBody) {
      this.body(d, 0);
      return;
    }
    this.input = this.input ? Buffer.concat([this.input, d]) : d;
    if (this.req !== undefined) {
      // Pipelined: held until the current answer is complete.
      if (this.input.length > MAX_PIPELINED) this.pauseReading();
      return;
    }
    this.heads();
  }

  /** Parses and dispatches every complete head in the input while no request is in progress. */
  private heads(): void {
    while (this.input !== undefined && this.req === undefined && !this.dead) {
      if (this.headSince === 0) this.headSince = Date.now();
      this.idleSince = 0;
      let buf: Buffer = this.input;
      let start = 0;
      // Blank lines before a request line are ignored (RFC 9112 §2.2) and dropped, so that a
      // client sending only blank lines accumulates nothing (the header timeout ends it).
      while (start + 1 < buf.length && buf[start] === 13 && buf[start + 1] === 10) start += 2;
      if (start > 0) {
        buf = buf.subarray(start);
        start = 0;
        this.input = buf.length > 0 ? buf : undefined;
        if (this.input === undefined) return;
      }
      const end = buf.indexOf(CRLF2, start);
      if (end < 0) {
        if (buf.length - start > MAX_HEAD) return this.refuse(new RequestHeadError(431, `Request Header Fields Too Large: the request head exceeds ${MAX_HEAD} bytes`));
        return;
      }
      if (end - start > MAX_HEAD) return this.refuse(new RequestHeadError(431, `Request Header Fields Too Large: the request head exceeds ${MAX_HEAD} bytes`));
      let head: RequestHead;
      try {
        head = parseRequestHead(buf.toString('latin1', start, end));
      } catch (err) {
        return this.refuse(err as RequestHeadError);
      }
      this.headSince = 0;
      this.requestSince = Date.now();
      const bodyStart = end + 4;
      let complete: Buffer | undefined;
      let rest: Buffer | undefined;
      if (head.chunked) {
        this.decoder = new ChunkedDecoder();
      } else if (head.contentLength === 0) {
        complete = EMPTY;
      } else if (buf.length - bodyStart >= head.contentLength) {
        complete = buf.subarray(bodyStart, bodyStart + head.contentLength);
      } else {
        this.remaining = head.contentLength;
      }
      const consumed = complete ? bodyStart + complete.length : bodyStart;
      rest = consumed < buf.length ? buf.subarray(consumed) : undefined;
      this.input = undefined;
      const req = new Http1Request(head, this.socket, this, complete);
      const res = new Http1Response(this, head.method, head.minor, head.close || this.closing);
      this.req = req;
      this.res = res;
      if (head.expectContinue && complete === undefined) this.socket.write('HTTP/1.1 100 Continue\r\n\r\n');
      if (complete === undefined && rest !== undefined) {
        const from = rest;
        rest = undefined;
        buf = from;
        this.body(buf, 0);
        if (this.dead) return;
      }
      if (rest !== undefined) this.input = rest;
      try {
        this.handler(req, res);
      } catch {
        this.destroy();
        return;
      }
    }
  }

  /** Body bytes of the current request, from `buf[from..]`; what follows the body is kept as input. */
  private body(buf: Buffer, from: number): void {
    const req = this.req as Http1Request;
    let after: number;
    const decoder = this.decoder;
    if (decoder) {
      try {
        after = decoder.feed(buf, from, (chunk) => {
          if (this.req === req) req.push(chunk);
        });
      } catch (err) {
        this.decoder = undefined;
        this.broken = true;
        return this.bodyFailed(err as RequestHeadError);
      }
      // Answered (and closing) while the body arrived, or more to come.
      if (this.req !== req || !decoder.done) return;
      this.decoder = undefined;
    } else {
      const n = Math.min(this.remaining, buf.length - from);
      this.remaining -= n;
      after = from + n;
      req.push(from === 0 && n === buf.length ? buf : buf.subarray(from, after));
      if (this.req !== req || this.remaining > 0) return;
    }
    if (after < buf.length) {
      this.input = buf.subarray(after);
      if (this.input.length > MAX_PIPELINED) this.pauseReading();
    }
    req.finishBody();
  }

  private bodyFailed(err: RequestHeadError): void {
    const req = this.req as Http1Request;
    this.res?.closeAfter();
    // The exchange answers the error if its body reader listens; otherwise nothing more can be
    // read from this connection and it closes.
    if (!req.fail(err)) {
      if (this.res && !this.res.headersSent) this.answerError(this.res, err);
      else this.destroy();
    }
  }

  /** Refuses a request before any handler saw it, then closes. */
  refuse(err: RequestHeadError): void {
    this.input = undefined;
    this.headSince = 0;
    const res = new Http1Response(this, 'GET', 1, true);
    this.res = res;
    this.answerError(res, err);
  }

  private answerError(res: Http1Response, err: RequestHeadError): void {
    res.writeHead(err.status, ['content-type', 'text/plain; charset=utf-8', 'x-phoenix-error', err.code, 'connection', 'close']);
    res.end(err.message);
  }

  // ResponseSink
  send(data: Buffer): boolean {
    if (this.dead || !this.socket.writable) return false;
    return this.socket.write(data);
  }

  responded(close: boolean): void {
    const mustClose = close || this.closing || this.broken || this.readingBody;
    this.req = undefined;
    this.res = undefined;
    this.remaining = 0;
    this.decoder = undefined;
    if (mustClose) {
      this.dead = true;
      this.endedAt = Date.now();
      this.socket.end();
      return;
    }
    this.idleSince = Date.now();
    if (this.readingPaused) this.resumeReading();
    // Pipelined requests are served on the next turn (not inside the previous answer's end()).
    if (this.input !== undefined) process.nextTick(() => this.heads());
  }

  // BodySource
  pauseReading(): void {
    if (this.readingPaused) return;
    this.readingPaused = true;
    this.socket.pause();
  }

  resumeReading(): void {
    if (!this.readingPaused) return;
    this.readingPaused = false;
    this.socket.resume();
  }

  /** The listener's sweep: a head that takes too long is answered 408; an idle connection closes. */
  timeouts(now: number, t: { header: number; idle: number; request: number }): void {
    if (this.dead) {
      if (now - this.endedAt > LINGER_MS) this.destroy();
      return;
    }
    if (this.headSince !== 0 && this.req === undefined && now - this.headSince > t.header) {
      // As node:http does: the answer is written, and the connection closed at once (a slow
      // client gets no lingering).
      this.refuse(new RequestHeadError(408, `Request Timeout: the request head did not arrive within ${t.header} ms`));
      return this.destroy();
    }
    if (this.idleSince !== 0 && this.input === undefined && this.req === undefined && now - this.idleSince > t.idle) return this.destroy();
    if (this.readingBody && now - this.requestSince > t.request) {
      if (this.res && !this.res.headersSent) this.answerError(this.res, new RequestHeadError(408, `Request Timeout: the request did not arrive within ${t.request} ms`));
      else this.destroy();
    }
  }

  destroy(): void {
    if (!this.socket.destroyed) this.socket.destroy();
    this.closed();
  }

  private closed(): void {
    this.dead = true;
    this.forget(this);
    const req = this.req;
    const res = this.res;
    this.req = undefined;
    this.res = undefined;
    req?.abort();
    res?.connectionClosed();
  }
}

const EMPTY = Buffer.alloc(0);
