import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../../core/log.js';
import { PhoenixError } from '../../core/errors.js';
import { LoginThrottledError, StackInvalidError, StackSyntaxError } from '../errors.js';

/**
 * RFC 9457 problem details, the hub API's one error format. Handlers throw PhoenixError subclasses;
 * this renders them (and framework errors such as a malformed JSON body) in one place.
 */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemOf(code: string, status: number, detail: string, extra: Record<string, unknown> = {}): Problem {
  return { type: `urn:phoenix:problem:${code}`, title: STATUS_CODES[status] ?? 'Error', status, detail, code, ...extra };
}

export function errorHandler(logger: Logger) {
  return (err: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void => {
    let problem: Problem;
    if (err instanceof PhoenixError) {
      const extra: Record<string, unknown> = {};
      if (err instanceof StackSyntaxError || err instanceof StackInvalidError) extra['errors'] = err.issues;
      if (err instanceof LoginThrottledError) void reply.header('retry-after', String(err.retryAfterSeconds));
      problem = problemOf(err.code, err.status, err.message, extra);
      if (err.status >= 500) logger.error({ err, reqId: request.id }, 'request failed');
    } else {
      const status = (err as FastifyError).statusCode;
      if (typeof status === 'number' && status >= 400 && status < 500) {
        problem = problemOf((err as FastifyError).code ?? 'HUB_BAD_REQUEST', status, err.message);
      } else {
        logger.error({ err, reqId: request.id, url: request.url }, 'unexpected error');
        problem = problemOf('HUB_INTERNAL', 500, 'internal error; see the hub log');
      }
    }
    problem.instance = request.url.split('?')[0] ?? request.url;
    void reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
  };
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): void {
  const path = request.url.split('?')[0] ?? request.url;
  void reply
    .code(404)
    .type(PROBLEM_CONTENT_TYPE)
    .send({ ...problemOf('HUB_NOT_FOUND', 404, `no such endpoint: ${request.method} ${path}`), instance: path });
}
