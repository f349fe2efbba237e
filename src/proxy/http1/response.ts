import { EventEmitter } from 'node:events';
import { STATUS_CODES } from 'node:http';

/** What the response needs from its connection. */
export interface ResponseSink {
  /** Writes bytes; false when the socket's buffer is full (wait for `drain`). */
  send(data: Buffer): boolean;
  /** The answer is complete; `close`: the connection must close after it. */
  responded(close: boolean): void;
  destroy(): void;
}

const UNSAFE = /[\r\n\0]/;

let dateText = '';
let dateSecond = 0;
/** The Date header's value, formatted once a second. */
function httpDate(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(now).toUTCString();
  }
  return dateText;
}

type HeaderInput = readonly string[] | Record<string, string | number | readonly string[]>;

/**
 * The answer to one Http1Request, with the part of node:http's ServerResponse the proxy uses:
 * `writeHead` (flat `[name, value, …]` or an object), `write`, `end`, `headersSent`, `destroyed`,
 * `destroy`, and the `close` and `drain` events. The head is held until the first body bytes so
 * that a whole small answer goes out as one write; Content-Length is added when `end` carries the
 * whole body, chunked coding is used when the length is unknown, and HEAD, 1xx, 204 and 304
 * answers carry no body.
 */
export class Http1Response extends EventEmitter {
  statusCode = 200;
  destroyed = false;
  writableEnded = false;
  private headerList: string[] | undefined;
  private headPending = false;
  private chunked = false;
  private noBody = false;
  private close: boolean;

  constructor(
    private readonly sink: ResponseSink,
    private readonly method: string,
    private readonly minor: number,
    close: boolean,
  ) {
    super();
    this.close = close;
  }

  get headersSent(): boolean {
    return this.headerList !== undefined;
  }

  writeHead(status: number, headers?: HeaderInput): this {
    if (this.headerList !== undefined) throw new Error('writeHead after the head was sent');
    this.statusCode = status;
    let list: string[];
    if (headers === undefined) list = [];
    else if (Array.isArray(headers)) list = headers as string[];
    else {
      list = [];
      for (const [k, v] of Object.entries(headers as Record<string, string | number | readonly string[]>)) {
        if (Array.isArray(v)) for (const one of v as readonly string[]) list.push(k, one);
        else list.push(k, String(v));
      }
    }
    this.headerList = list;
    this.headPending = true;
    return this;
  }

  write(chunk: Buffer | string): boolean {
    if (this.writableEnded || this.destroyed) return false;
    const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (this.headerList === undefined) this.writeHead(this.statusCode);
    const head = this.headPending ? this.renderHead(-1) : '';
    return this.sink.send(this.frame(head, data, false));
  }

  end(chunk?: Buffer | string): this {
    if (this.writableEnded) return this;
    this.writableEnded = true;
    if (this.destroyed) return this;
    const data = chunk === undefined ? undefined : typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (this.headerList === undefined) this.writeHead(this.statusCode);
    const head = this.headPending ? this.renderHead(data ? data.length : 0) : '';
    this.sink.send(this.frame(head, data, true));
    this.sink.responded(this.close);
    this.destroyed = true;
    this.emit('close');
    return this;
  }

  /** The connection closes after this answer (said in its head, when not yet sent). */
  closeAfter(): void {
    this.close = true;
  }

  destroy(): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    this.sink.destroy();
    return this;
  }

  /** The connection went away before the answer was complete. */
  connectionClosed(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit('close');
  }

  /** Head and body bytes as one buffer (one socket write, one TLS record). */
  private frame(head: string, data: Buffer | undefined, last: boolean): Buffer {
    const body = this.noBody ? undefined : data;
    let prefix = head;
    let suffix = '';
    if (this.chunked) {
      if (body && body.length > 0) {
        prefix += `${body.length.toString(16)}\r\n`;
        suffix = last ? '\r\n0\r\n\r\n' : '\r\n';
      } else if (last) {
        suffix = '0\r\n\r\n';
      }
    }
    const bodyLength = body ? body.length : 0;
    const out = Buffer.allocUnsafe(prefix.length + bodyLength + suffix.length);
    out.write(prefix, 0, 'latin1');
    if (body) body.copy(out, prefix.length);
    if (suffix) out.write(suffix, prefix.length + bodyLength, 'latin1');
    return out;
  }

  /** The status line and headers; `wholeBody`: the body's length when `end` carries all of it, else -1. */
  private renderHead(wholeBody: number): string {
    this.headPending = false;
    const status = this.statusCode;
    const list = this.headerList as string[];
    let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`;
    let length = false;
    let date = false;
    for (let i = 0; i < list.length; i += 2) {
      const name = list[i] as string;
      const value = list[i + 1] as string;
      if (UNSAFE.test(value) || UNSAFE.test(name)) throw new Error(`response header ${name} has a line break`);
      const n = name.length;
      // Only the few names this writer looks at are compared (by length first).
      if (n === 14 && name.toLowerCase() === 'content-length') length = true;
      else if (n === 4 && name.toLowerCase() === 'date') date = true;
      else if (n === 10 && name.toLowerCase() === 'connection') {
        if (value.toLowerCase().includes('close')) this.close = true;
        continue;
      } else if (n === 17 && name.toLowerCase() === 'transfer-encoding') continue;
      head += `${name}: ${value}\r\n`;
    }
    this.noBody = this.method === 'HEAD' || status < 200 || status === 204 || status === 304;
    if (!length && !this.noBody) {
      if (wholeBody >= 0) head += `content-length: ${wholeBody}\r\n`;
      else if (this.minor === 1) {
        head += 'transfer-encoding: chunked\r\n';
        this.chunked = true;
      } else this.close = true; // HTTP/1.0 without a length: the close ends the body
    }
    if (!date) head += `date: ${httpDate()}\r\n`;
    if (this.close) head += 'connection: close\r\n';
    else if (this.minor === 0) head += 'connection: keep-alive\r\n';
    return `${head}\r\n`;
  }
}
