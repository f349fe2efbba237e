/**
 * An incremental HTTP/1.1 response parser for the upstream hop: status line and headers, then the
 * body framed by Content-Length, chunked transfer coding (trailers read and dropped), or the end of
 * the connection; no body for HEAD, 1xx, 204 and 304. Interim 1xx answers are skipped. Anything
 * malformed throws, and the connection is dropped.
 */
export interface ResponseSink {
  /** Headers as `[lower-case name, value, …]`. */
  onHead(status: number, headers: string[]): void;
  onBody(chunk: Buffer): void;
  onEnd(): void;
}

export class ProtocolError extends Error {}

const MAX_HEAD = 64 * 1024;
const CRLF = Buffer.from('\r\n');
const CRLF2 = Buffer.from('\r\n\r\n');

const DIGITS = /^\d+$/;

/** The header name between `from` and `to`, lower-case and without surrounding blanks; no copy when already lower-case. */
function lowerName(text: string, from: number, to: number): string {
  while (to > from && (text.charCodeAt(to - 1) === 32 || text.charCodeAt(to - 1) === 9)) to--;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c >= 65 && c <= 90) return text.slice(from, to).toLowerCase();
  }
  return text.slice(from, to);
}

type State = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailers' | 'close' | 'done';

export class ResponseParser {
  private state: State = 'head';
  private pending: Buffer | undefined;
  private remaining = 0;
  /** The connection can carry another request after this answer. */
  keepAlive = true;

  constructor(
    private readonly sink: ResponseSink,
    private readonly headRequest: boolean,
  ) {}

  get done(): boolean {
    return this.state === 'done';
  }

  /** Whether the answer ends with the connection (no length, not chunked). */
  get readsToClose(): boolean {
    return this.state === 'close';
  }

  feed(input: Buffer): void {
    let data = this.pending ? Buffer.concat([this.pending, input]) : input;
    this.pending = undefined;
    while (data.length > 0 && this.state !== 'done') {
      switch (this.state) {
        case 'head': {
          const end = data.indexOf(CRLF2);
          if (end < 0) {
            if (data.length > MAX_HEAD) throw new ProtocolError('upstream response head too large');
            this.pending = data;
            return;
          }
          this.head(data.toString('latin1', 0, end));
          data = data.subarray(end + 4);
          break;
        }
        case 'length': {
          const n = Math.min(this.remaining, data.length);
          this.sink.onBody(n === data.length ? data : data.subarray(0, n));
          this.remaining -= n;
          data = data.subarray(n);
          if (this.remaining === 0) this.finish();
          break;
        }
        case 'chunk-size': {
          const eol = data.indexOf(CRLF);
          if (eol < 0) {
            if (data.length > 1024) throw new ProtocolError('chunk size line too long');
            this.pending = data;
            return;
          }
          const line = data.toString('latin1', 0, eol);
          const semi = line.indexOf(';');
          const hex = (semi < 0 ? line : line.slice(0, semi)).trim();
          if (!/^[0-9a-fA-F]{1,8}$/.test(hex)) throw new ProtocolError(`bad chunk size ${JSON.stringify(line)}`);
          this.remaining = parseInt(hex, 16);
          data = data.subarray(eol + 2);
          this.state = this.remaining === 0 ? 'trailers' : 'chunk-data';
          break;
        }
        case 'chunk-data': {
          const n = Math.min(this.remaining, data.length);
          this.sink.onBody(n === data.length ? data : data.subarray(0, n));
          this.remaining -= n;
          data = data.subarray(n);
          if (this.remaining === 0) this.state = 'chunk-end';
          break;
        }
        case 'chunk-end': {
          if (data.length < 2) {
            this.pending = data;
            return;
          }
          if (data[0] !== 13 || data[1] !== 10) throw new ProtocolError('chunk not followed by CRLF');
          data = data.subarray(2);
          this.state = 'chunk-size';
          break;
        }
        case 'trailers': {
          // Either an empty line right away, or trailer fields ending with an empty line.
          if (data.length >= 2 && data[0] === 13 && data[1] === 10) {
            data = data.subarray(2);
            this.finish();
            break;
          }
          const end = data.indexOf(CRLF2);
          if (end < 0) {
            if (data.length > MAX_HEAD) throw new ProtocolError('trailers too large');
            this.pending = data;
            return;
          }
          data = data.subarray(end + 4);
          this.finish();
          break;
        }
        case 'close':
          this.sink.onBody(data);
          data = data.subarray(data.length);
          break;
      }
    }
    if (data.length > 0) {
      // Bytes after a complete answer: the server is not speaking one answer per request.
      this.keepAlive = false;
    }
  }

  /** The connection ended: completes an answer read to the close, else the answer is cut. */
  end(): boolean {
    if (this.state === 'close') {
      this.finish();
      return true;
    }
    return this.state === 'done';
  }

  private head(text: string): void {
    // One pass over the head with indexOf (no line array, no regular expressions on the common
    // path): this runs once per proxied request.
    let eol = text.indexOf('\r\n');
    if (eol < 0) eol = text.length;
    if (!text.startsWith('HTTP/1.')) throw new ProtocolError(`not an HTTP/1.x answer: ${JSON.stringify(text.slice(0, 40))}`);
    const status = Number(text.slice(9, 12));
    if (!(status >= 100 && status <= 599) || (text.charCodeAt(12) !== 32 && eol > 12)) throw new ProtocolError(`bad status line ${JSON.stringify(text.slice(0, Math.min(eol, 60)))}`);
    if (text.charCodeAt(7) === 48 /* HTTP/1.0 */) this.keepAlive = false;
    if (status >= 100 && status < 200) {
      if (status === 101) throw new ProtocolError('upgrades are not proxied');
      return; // interim answer: the final one follows
    }
    const headers: string[] = [];
    let length = -1;
    let chunked = false;
    let start = eol + 2;
    while (start < text.length) {
      let end = text.indexOf('\r\n', start);
      if (end < 0) end = text.length;
      const colon = text.indexOf(':', start);
      const first = text.charCodeAt(start);
      if (colon <= start || colon >= end || first === 32 || first === 9) throw new ProtocolError(`bad header line ${JSON.stringify(text.slice(start, Math.min(end, start + 60)))}`);
      const name = lowerName(text, start, colon);
      const value = text.slice(colon + 1, end).trim();
      start = end + 2;
      headers.push(name, value);
      if (name.length < 10 || name.length > 17) continue;
      if (name === 'content-length') {
        if (!DIGITS.test(value) || (length >= 0 && Number(value) !== length)) throw new ProtocolError('bad content-length');
        length = Number(value);
      } else if (name === 'transfer-encoding') {
        chunked = /(^|,)\s*chunked\s*$/i.test(value);
        if (!chunked) throw new ProtocolError(`unsupported transfer-encoding ${value}`);
      } else if (name === 'connection' && /(^|,)\s*close\s*(,|$)/i.test(value)) {
        this.keepAlive = false;
      }
    }
    if (chunked && length >= 0) throw new ProtocolError('both content-length and chunked');
    this.sink.onHead(status, headers);
    if (this.headRequest || status === 204 || status === 304) return this.finish();
    if (chunked) this.state = 'chunk-size';
    else if (length >= 0) {
      this.remaining = length;
      this.state = 'length';
      if (length === 0) this.finish();
    } else {
      this.keepAlive = false;
      this.state = 'close';
    }
  }

  private finish(): void {
    this.state = 'done';
    this.sink.onEnd();
  }
}
