import { PhoenixError } from '../../core/errors.js';

/**
 * A request the listener refuses before any handler sees it (malformed or ambiguous framing,
 * oversize head, unsupported version or coding). Answered with its status and the connection
 * closed: after a framing error nothing later on the connection can be trusted.
 */
export class RequestHeadError extends PhoenixError {
  constructor(status: number, message: string) {
    super(status === 431 ? 'PROXY_HEAD_TOO_LARGE' : status === 408 ? 'PROXY_HEAD_TIMEOUT' : 'PROXY_BAD_REQUEST', status, message);
  }
}

/** The request head, parsed strictly (RFC 9112). */
export interface RequestHead {
  method: string;
  /** Request target as sent (origin form). */
  url: string;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  minor: number;
  /** `[name, value, …]` in the order sent: names lower-cased (as HTTP/2 has them), values without surrounding blanks. */
  rawHeaders: string[];
  /** Lower-case names; repeated headers joined with `, `. No prototype: any name is safe. */
  headers: Record<string, string>;
  /** Body framing: a length (0: none) or chunked. */
  contentLength: number;
  chunked: boolean;
  /** The client asked to close after this exchange (or did not ask to keep an HTTP/1.0 connection). */
  close: boolean;
  /** `Expect: 100-continue`. */
  expectContinue: boolean;
}

/** tchar of RFC 9110 §5.6.2. */
const TOKEN = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~") TOKEN[c.charCodeAt(0)] = 1;
for (let c = 48; c <= 57; c++) TOKEN[c] = 1;
for (let c = 65; c <= 90; c++) TOKEN[c] = 1;
for (let c = 97; c <= 122; c++) TOKEN[c] = 1;

function isToken(text: string, from: number, to: number): boolean {
  if (to <= from) return false;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c > 127 || TOKEN[c] !== 1) return false;
  }
  return true;
}

/** Field values: visible characters, spaces, tabs and obs-text; no control characters. */
function validValue(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if ((c < 32 && c !== 9) || c === 127) return false;
  }
  return true;
}

/** Request targets: visible ASCII only (no spaces, controls or raw non-ASCII bytes). */
function validTarget(text: string, from: number, to: number): boolean {
  if (to <= from) return false;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c <= 32 || c >= 127) return false;
  }
  return true;
}

function lowerName(text: string, from: number, to: number): string {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c >= 65 && c <= 90) return text.slice(from, to).toLowerCase();
  }
  return text.slice(from, to);
}

const bad = (message: string) => new RequestHeadError(400, `Bad Request: ${message}`);

/**
 * Parses a request head (`text`: the bytes before the blank line, as latin1). Refuses with 400
 * whatever could be read two ways — both Content-Length and Transfer-Encoding, repeated or
 * malformed Content-Length, obsolete line folding, bare CR or LF, blanks before the colon, a
 * missing or repeated Host — and with 501 a transfer coding other than `chunked`, with 505 a
 * version other than HTTP/1.0 and HTTP/1.1.
 */
export function parseRequestHead(text: string): RequestHead {
  let eol = text.indexOf('\r\n');
  if (eol < 0) eol = text.length;
  const sp1 = text.indexOf(' ');
  const sp2 = sp1 < 0 ? -1 : text.indexOf(' ', sp1 + 1);
  if (sp1 < 0 || sp2 < 0 || sp2 > eol) throw bad('the request line is not "METHOD target HTTP/1.1"');
  if (!isToken(text, 0, sp1)) throw bad('the method is not a token');
  if (!validTarget(text, sp1 + 1, sp2)) throw bad('the request target has spaces or control characters');
  const version = text.slice(sp2 + 1, eol);
  let minor: number;
  if (version === 'HTTP/1.1') minor = 1;
  else if (version === 'HTTP/1.0') minor = 0;
  else if (/^HTTP\/\d\.\d$/.test(version)) throw new RequestHeadError(505, `HTTP Version Not Supported: ${version}`);
  else throw bad('the request line is not "METHOD target HTTP/1.1"');
  const method = text.slice(0, sp1);
  const url = text.slice(sp1 + 1, sp2);

  const rawHeaders: string[] = [];
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  let contentLength = -1;
  let transferEncoding: string | undefined;
  let hosts = 0;
  let pos = eol + 2;
  while (pos < text.length) {
    let end = text.indexOf('\r\n', pos);
    if (end < 0) end = text.length;
    const first = text.charCodeAt(pos);
    if (first === 32 || first === 9) throw bad('obsolete line folding (a header line starting with a blank)');
    const colon = text.indexOf(':', pos);
    if (colon < 0 || colon > end) throw bad('a header line without a colon');
    if (!isToken(text, pos, colon)) throw bad('a header name with blanks or characters outside a token');
    let vs = colon + 1;
    let ve = end;
    while (vs < ve && (text.charCodeAt(vs) === 32 || text.charCodeAt(vs) === 9)) vs++;
    while (ve > vs && (text.charCodeAt(ve - 1) === 32 || text.charCodeAt(ve - 1) === 9)) ve--;
    // Bare CR or LF inside a line end up here as control characters.
    if (!validValue(text, vs, ve)) throw bad(`header ${text.slice(pos, colon)} has a control character in its value`);
    const value = text.slice(vs, ve);
    const lower = lowerName(text, pos, colon);
    rawHeaders.push(lower, value);
    const prior = headers[lower];
    headers[lower] = prior === undefined ? value : `${prior}, ${value}`;
    if (lower === 'content-length') {
      if (contentLength >= 0) throw bad('more than one Content-Length');
      if (!/^\d{1,15}$/.test(value)) throw bad('Content-Length is not a number');
      contentLength = Number(value);
    } else if (lower === 'transfer-encoding') {
      transferEncoding = prior === undefined ? value : `${prior}, ${value}`;
    } else if (lower === 'host') {
      hosts++;
    }
    pos = end + 2;
  }
  if (rawHeaders.length > 2 * 200) throw new RequestHeadError(431, 'Request Header Fields Too Large: more than 200 header lines');
  if (minor === 1 && hosts !== 1) throw bad(hosts === 0 ? 'no Host header' : 'more than one Host header');
  let chunked = false;
  if (transferEncoding !== undefined) {
    if (contentLength >= 0) throw bad('both Content-Length and Transfer-Encoding (ambiguous framing)');
    if (minor === 0) throw bad('Transfer-Encoding in an HTTP/1.0 request');
    if (transferEncoding.toLowerCase() !== 'chunked') throw new RequestHeadError(501, `Not Implemented: transfer coding "${transferEncoding}" (only chunked is accepted)`);
    chunked = true;
  }
  const connection = headers['connection']?.toLowerCase();
  const close = connection === undefined ? minor === 0 : hasToken(connection, 'close') || (minor === 0 && !hasToken(connection, 'keep-alive'));
  const expect = headers['expect'];
  let expectContinue = false;
  if (expect !== undefined) {
    if (expect.toLowerCase() !== '100-continue') throw new RequestHeadError(417, `Expectation Failed: ${expect}`);
    expectContinue = minor === 1;
  }
  return { method, url, minor, rawHeaders, headers, contentLength: contentLength < 0 ? 0 : contentLength, chunked, close, expectContinue };
}

function hasToken(list: string, token: string): boolean {
  if (list === token) return true;
  for (const t of list.split(',')) if (t.trim() === token) return true;
  return false;
}
