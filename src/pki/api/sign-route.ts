import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { BadRequestError } from '../../core/errors.js';
import { parseDuration } from '../../core/duration.js';
import type { Authority } from '../authority/authority.js';
import { parseBody } from './body.js';

/** step-ca's sign request; `notAfter` (a duration like `1h` or an RFC 3339 time) is optional. */
const signRequestSchema = z.strictObject({
  csr: z.string().min(1, 'csr (a PEM certificate request) is required').max(65_536),
  ott: z.string().min(1, 'ott (the one-time token) is required').max(16_384),
  notAfter: z.string().min(1).max(64).optional(),
});

/** `POST /1.0/sign {csr, ott}` → 201 `{crt, ca, certChain: [leaf, intermediate]}`. */
export function registerSignRoute(app: FastifyInstance, authority: Authority): void {
  app.post('/1.0/sign', async (request, reply) => {
    const body = parseBody(signRequestSchema, request.body, 'sign');
    const requestedMs = body.notAfter === undefined ? undefined : requestedLifetime(body.notAfter);
    const signed = await authority.sign(body.csr, body.ott, requestedMs);
    return reply.code(201).send(signed);
  });
}

function requestedLifetime(notAfter: string): number {
  let ms: number;
  try {
    ms = parseDuration(notAfter);
  } catch {
    const at = Date.parse(notAfter);
    if (Number.isNaN(at)) throw new BadRequestError('PKI_BAD_REQUEST', `notAfter "${notAfter}" is neither a duration (e.g. 1h) nor an RFC 3339 time`);
    ms = at - Date.now();
  }
  if (ms <= 0) throw new BadRequestError('PKI_BAD_REQUEST', `notAfter "${notAfter}" is not in the future`);
  return ms;
}
