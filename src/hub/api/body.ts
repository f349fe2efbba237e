import type { z } from 'zod';
import { BadRequestError } from '../../core/errors.js';

/** Validates a request body at the edge; a bad one is a 400 naming every bad field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown, what: string): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);
  throw new BadRequestError('HUB_BAD_REQUEST', `invalid ${what}: ${problems.join('; ')}`);
}
