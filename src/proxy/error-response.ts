import type { PhoenixError } from '../core/errors.js';
import type { Exchange } from './exchange.js';
import { RejectionError } from './middleware/middleware.js';

/**
 * Proxy errors (no route, no healthy backend, upstream failure, limits) are answered in Qdrant's
 * error envelope, since every client of this data path is a Qdrant client: the official clients show
 * `status.error` to the user. The error code goes in `x-phoenix-error` for operators.
 */
export function renderQdrantStyleError(ex: Exchange, err: PhoenixError): void {
  writeError(ex, err, 'application/json', JSON.stringify({ status: { error: err.message }, time: 0 }));
}

/** Qdrant answers authentication failures in plain text. */
export function renderPlainTextError(ex: Exchange, err: PhoenixError): void {
  writeError(ex, err, 'text/plain; charset=utf-8', err.message);
}

function writeError(ex: Exchange, err: PhoenixError, contentType: string, body: string): void {
  const res = ex.res;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: string[] = [...ex.responseHeaders, 'content-type', contentType, 'content-length', String(Buffer.byteLength(body)), 'x-phoenix-error', err.code];
  if (err.status === 503) headers.push('retry-after', '1');
  if (err instanceof RejectionError) for (const [k, v] of Object.entries(err.headers)) headers.push(k, v);
  // A body that was refused unread is not read to its end: the connection closes after the answer.
  if ((err.status === 413 || err.status === 408) && ex.req.httpVersionMajor !== 2) headers.push('connection', 'close');
  (res as unknown as { writeHead(status: number, headers: string[]): unknown }).writeHead(err.status, headers);
  res.end(body);
}
