import { RequestHeadError } from './request-head.js';

const CR = 13;
const LF = 10;
/** A chunk-size line (size and extensions) or a trailer line longer than this is refused. */
const MAX_LINE = 4096;
/** All trailer lines together. */
const MAX_TRAILERS = 16 * 1024;

type State = 'size' | 'data' | 'data-crlf' | 'trailers' | 'done';

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

const bad = (message: string) => new RequestHeadError(400, `Bad Request: malformed chunked body: ${message}`);

/**
 * Decodes a chunked request body incrementally (RFC 9112 §7.1), strictly: hex sizes of at most 15
 * digits, CRLF line ends only, extensions and trailers bounded in size, trailers read and dropped.
 * Data is handed on as slices of the input (no copy).
 */
export class ChunkedDecoder {
  private state: State = 'size';
  private size = 0;
  private digits = 0;
  /** Bytes of the current line (size line, or trailer) seen so far, for the bounds. */
  private line = 0;
  private inExtension = false;
  private sawCr = false;
  private trailerBytes = 0;
  private remaining = 0;

  get done(): boolean {
    return this.state === 'done';
  }

  /**
   * Consumes bytes from `buf[from..]`, passing body data to `onData`; returns the position after
   * the last byte consumed (the end of the body when `done`). Throws a 400 on malformed input.
   */
  feed(buf: Buffer, from: number, onData: (chunk: Buffer) => void): number {
    let i = from;
    const n = buf.length;
    while (i < n && this.state !== 'done') {
      switch (this.state) {
        case 'size': {
          const c = buf[i++] as number;
          if (++this.line > MAX_LINE) throw bad('chunk-size line too long');
          if (this.sawCr) {
            if (c !== LF) throw bad('CR without LF');
            if (this.digits === 0) throw bad('a chunk without a size');
            this.sawCr = false;
            this.line = 0;
            this.inExtension = false;
            this.digits = 0;
            if (this.size === 0) {
              this.state = 'trailers';
            } else {
              this.remaining = this.size;
              this.state = 'data';
            }
            this.size = 0;
          } else if (c === CR) {
            this.sawCr = true;
          } else if (c === LF) {
            throw bad('bare LF');
          } else if (this.inExtension) {
            if (c < 32 && c !== 9) throw bad('control character in a chunk extension');
          } else if (c === 59 /* ; */ || c === 32 || c === 9) {
            if (this.digits === 0) throw bad('a chunk without a size');
            this.inExtension = true;
          } else {
            const v = hexValue(c);
            if (v < 0) throw bad('chunk size is not hexadecimal');
            if (++this.digits > 15) throw bad('chunk size too large');
            this.size = this.size * 16 + v;
          }
          break;
        }
        case 'data': {
          const take = Math.min(this.remaining, n - i);
          onData(take === n && i === 0 ? buf : buf.subarray(i, i + take));
          i += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = 'data-crlf';
          break;
        }
        case 'data-crlf': {
          const c = buf[i++] as number;
          if (!this.sawCr) {
            if (c !== CR) throw bad('chunk data longer than its size');
            this.sawCr = true;
          } else {
            if (c !== LF) throw bad('CR without LF');
            this.sawCr = false;
            this.state = 'size';
          }
          break;
        }
        case 'trailers': {
          const c = buf[i++] as number;
          if (++this.trailerBytes > MAX_TRAILERS) throw bad('trailers too large');
          if (this.sawCr) {
            if (c !== LF) throw bad('CR without LF');
            this.sawCr = false;
            if (this.line === 0) this.state = 'done';
            this.line = 0;
          } else if (c === CR) {
            this.sawCr = true;
          } else if (c === LF) {
            throw bad('bare LF');
          } else {
            if (this.line === 0 && (c === 32 || c === 9)) throw bad('obsolete line folding in trailers');
            if (++this.line > MAX_LINE) throw bad('trailer line too long');
          }
          break;
        }
      }
    }
    return i;
  }
}
