import type { FastifyReply, FastifyRequest } from 'fastify';
import { PhoenixError } from '../../core/errors.js';

/**
 * Qdrant's response envelopes, and the one place errors become responses:
 * success `{"result": …, "status": "ok", "time": seconds}`,
 * error `{"status": {"error": message}, "time": seconds}`.
 */
declare module 'fastify' {
  interface FastifyRequest {
    /** High-resolution start time, for the `time` field. */
    startedAt: bigint;
  }
}

export function elapsedSeconds(request: FastifyRequest): number {
  return Number(process.hrtime.bigint() - request.startedAt) / 1e9;
}

export function ok(request: FastifyRequest, reply: FastifyReply, result: unknown): FastifyReply {
  return reply.code(200).type('application/json').send({ result, status: 'ok', time: elapsedSeconds(request) });
}

/** Update answer: `completed` after apply (`?wait=true`), `acknowledged` after the durable append. */
export function updated(request: FastifyRequest, reply: FastifyReply, result: { operationId: number; status: string }): FastifyReply {
  return ok(request, reply, { operation_id: result.operationId, status: result.status });
}

export interface RenderedError {
  status: number;
  message: string;
}

/** Maps anything thrown in a handler (or by Fastify) to a status and a Qdrant error text. */
export function renderError(err: unknown, request: FastifyRequest): RenderedError {
  if (err instanceof PhoenixError) return { status: err.status, message: err.message };
  const e = err as { code?: string; statusCode?: number; message?: string };
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': {
      const length = request.headers['content-length'] ?? 'unknown';
      return { status: 413, message: `JSON payload (${length} bytes) is larger than allowed (limit: ${request.routeOptions.bodyLimit ?? 'unknown'} bytes).` };
    }
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, message: 'Content type error' };
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) return { status: e.statusCode, message: e.message ?? 'Bad request' };
  return { status: 500, message: `Service internal error: ${e.message ?? String(err)}` };
}

export function sendError(request: FastifyRequest, reply: FastifyReply, rendered: RenderedError): FastifyReply {
  return reply
    .code(rendered.status)
    .type('application/json')
    .send({ status: { error: rendered.message }, time: elapsedSeconds(request) });
}
