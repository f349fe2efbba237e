import { PhoenixError } from '../core/errors.js';
import type { Exchange } from './exchange.js';
import { BodyTooLargeError } from './middleware/body-limit/errors.js';

/** Bodies up to this size (or of unknown size) are read before forwarding, so they can be sent again. */
export const BUFFERED_BODY_LIMIT = 1024 * 1024;

export class BodyTimeoutError extends PhoenixError {
  constructor(ms: number) {
    super('PROXY_BODY_TIMEOUT', 408, `Request Timeout: the request body did not arrive within ${ms} ms`);
  }
}

/** How the request body will travel upstream. */
export type BodyPlan = { kind: 'none' } | { kind: 'buffer' } | { kind: 'stream'; length: number };

/** Decides from the head alone; throws 413 when the declared length is over the limit. */
export function planBody(ex: Exchange): BodyPlan {
  const headers = ex.req.headers;
  const declared = headers['content-length'];
  if (declared !== undefined) {
    const length = Number(declared);
    if (length === 0) return { kind: 'none' };
    if (length > ex.bodyLimit) throw new BodyTooLargeError(length, ex.bodyLimit);
    return length <= BUFFERED_BODY_LIMIT ? { kind: 'buffer' } : { kind: 'stream', length };
  }
  // HTTP/1.1 chunked, or an HTTP/2 stream without a length (unless it ended with its headers).
  if (headers['transfer-encoding'] !== undefined) return { kind: 'buffer' };
  if (ex.req.httpVersionMajor === 2 && !(ex.req as { readableEnded?: boolean }).readableEnded && ex.method !== 'GET' && ex.method !== 'HEAD') return { kind: 'buffer' };
  return { kind: 'none' };
}

/** Reads the whole body, refusing it (413) past `ex.bodyLimit` and (408) past `ex.bodyTimeoutMs`. */
export function readBody(ex: Exchange): Promise<Buffer> {
  const req = ex.req;
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let timer: NodeJS.Timeout | undefined;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      if (timer) clearTimeout(timer);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > ex.bodyLimit) {
        cleanup();
        reject(new BodyTooLargeError(undefined, ex.bodyLimit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onAborted = () => onError(new Error('the client aborted the request'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
    if (ex.bodyTimeoutMs > 0) {
      timer = setTimeout(() => {
        cleanup();
        reject(new BodyTimeoutError(ex.bodyTimeoutMs));
      }, ex.bodyTimeoutMs);
    }
  });
}
