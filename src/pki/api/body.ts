import type { z } from 'zod';
import { BadRequestError } from '../../core/errors.js';

/** Validates a request body at the edge; unknown fields and wrong types are a 400 naming each. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown, what: string): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(body)'}: ${i.message}`);
  throw new BadRequestError('PKI_BAD_REQUEST', `invalid ${what} request: ${issues.join('; ')}`);
}
