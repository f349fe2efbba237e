import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { errors as undiciErrors } from 'undici';
import { PhoenixError, UnavailableError } from '../core/errors.js';
import type { Backend } from './backend.js';
import { downstreamResponseHeaders, upstreamRequestHeaders } from './headers.js';

export interface ForwardContext {
  requestId: string;
  /** Host header to send upstream. */
  host: string;
  /** Request headers not to pass on upstream (e.g. credentials checked at this hop). */
  dropHeaders?: readonly string[];
  /** Time allowed for the upstream to start answering. */
  headersTimeoutMs: number;
  /** The request body, already read (so the request can be retried); streamed from `req` when unset. */
  body?: Buffer;
}

export class UpstreamError extends PhoenixError {
  constructor(status: number, message: string, readonly connectFailed: boolean, options?: { cause?: unknown }) {
    super(status === 504 ? 'PROXY_UPSTREAM_TIMEOUT' : 'PROXY_UPSTREAM_FAILED', status, message, options);
  }
}

/** Does this failure mean the request never reached the backend (safe to retry elsewhere)? */
function isConnectFailure(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? '';
  return ['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET', 'ERR_TLS_CERT_ALTNAME_INVALID', 'EPROTO'].includes(code) || /certificate|identity .* not allowed|self.signed/i.test((err as Error).message ?? '');
}

/**
 * Forwards one request to `backend` and streams the answer back. Returns the upstream status.
 * Throws UpstreamError (502/504) when the backend fails before answering; once the answer has
 * started, a failure can only abort the response.
 */
export async function forward(req: IncomingMessage, res: ServerResponse, backend: Backend, ctx: ForwardContext): Promise<number> {
  const abort = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) abort.abort();
  };
  res.on('close', onClose);
  backend.inFlight++;
  try {
    let upstream;
    try {
      upstream = await backend.dispatcher.request({
        origin: backend.origin,
        path: req.url ?? '/',
        method: req.method as 'GET',
        headers: upstreamRequestHeaders(req.headers, {
          host: ctx.host,
          requestId: ctx.requestId,
          clientIp: req.socket.remoteAddress,
          proto: 'https',
          ...(ctx.dropHeaders ? { drop: ctx.dropHeaders } : {}),
        }),
        body: ctx.body ?? (hasBody(req) ? req : null),
        signal: abort.signal,
        headersTimeout: ctx.headersTimeoutMs,
        bodyTimeout: 0,
      });
    } catch (err) {
      if (err instanceof undiciErrors.HeadersTimeoutError) {
        throw new UpstreamError(504, `upstream ${backend.url} did not answer within ${ctx.headersTimeoutMs} ms`, false, { cause: err });
      }
      const connectFailed = isConnectFailure(err);
      if (connectFailed) backend.markDown(`forward failed: ${(err as Error).message}`);
      throw new UpstreamError(502, `upstream ${backend.url} failed: ${(err as Error).message}`, connectFailed, { cause: err });
    }
    backend.markUp();
    res.writeHead(upstream.statusCode, downstreamResponseHeaders(upstream.headers));
    try {
      await pipeline(upstream.body, res);
    } catch {
      // the client went away or the upstream broke mid-answer; nothing more can be sent
      res.destroy();
    }
    return upstream.statusCode;
  } finally {
    backend.inFlight--;
    res.off('close', onClose);
  }
}

export function hasBody(req: IncomingMessage): boolean {
  return req.headers['content-length'] !== undefined ? req.headers['content-length'] !== '0' : req.headers['transfer-encoding'] !== undefined;
}

/** When no backend can take the request. */
export function noBackendError(service: string): UnavailableError {
  return new UnavailableError('PROXY_NO_BACKEND', `Service Unavailable: no healthy backend for service ${service}`);
}
