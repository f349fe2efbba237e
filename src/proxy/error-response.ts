import type { ServerResponse } from 'node:http';
import type { PhoenixError } from '../core/errors.js';

/**
 * Proxy errors (no route, no healthy backend, upstream failure) are answered in Qdrant's error
 * envelope, since every client of this data path is a Qdrant client: the official clients show
 * `status.error` to the user. The error code goes in `x-phoenix-error` for operators.
 */
export function renderQdrantStyleError(res: ServerResponse, err: PhoenixError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ status: { error: err.message }, time: 0 });
  res.writeHead(err.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-phoenix-error': err.code,
    ...(err.status === 503 ? { 'retry-after': '1' } : {}),
  });
  res.end(body);
}
