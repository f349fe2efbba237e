import { z } from 'zod';
import { parsePointId, type PointId } from '../../segment/point-id.js';
import { isObject, type JsonObject } from '../../segment/json-path.js';
import { serdeValue } from '../body.js';

/**
 * Wire pieces shared by several Qdrant request bodies. Point ids are checked here, like Qdrant's
 * deserializer does, with its message for anything that is neither an unsigned integer nor a UUID.
 */
export const pointIdSchema = z.unknown().transform((value, ctx): PointId => {
  const r = parsePointId(value);
  if (r.ok) return r.id;
  ctx.addIssue({
    code: 'custom',
    message:
      r.reason === 'too_large'
        ? `value ${serdeValue(value)} is not a valid point ID: Phoenix supports integer ids up to ${Number.MAX_SAFE_INTEGER}`
        : `value ${serdeValue(value)} is not a valid point ID, valid values are either an unsigned integer or a UUID`,
  });
  return z.NEVER;
});

/** A JSON object kept as parsed (not copied: keys such as `__proto__` stay plain data). */
export const jsonObjectSchema = z.custom<JsonObject>((v) => isObject(v), { message: 'invalid type: expected a map' });

export const denseVectorSchema = z.array(z.number());

/** `true`/`false`, a list of payload keys, or `{include: […]}` / `{exclude: […]}`. */
export const withPayloadSchema = z.union(
  [z.boolean(), z.array(z.string()), z.strictObject({ include: z.array(z.string()) }), z.strictObject({ exclude: z.array(z.string()) })],
  { error: 'data did not match any variant of untagged enum WithPayloadInterface' },
);
export type WithPayloadWire = z.infer<typeof withPayloadSchema>;

/** `true`/`false` or a list of vector names. */
export const withVectorSchema = z.union([z.boolean(), z.array(z.string())], { error: 'data did not match any variant of untagged enum WithVector' });
export type WithVectorWire = z.infer<typeof withVectorSchema>;

/**
 * Unsigned integer (serde `usize`/`u64`): anything up to u64::MAX is accepted (Qdrant takes
 * `limit: 18446744073709551615`) and capped at the largest safe integer.
 */
export const uintSchema = z.number().transform((v, ctx) => {
  if (!Number.isInteger(v)) {
    ctx.addIssue({ code: 'custom', message: `invalid type: floating point \`${v}\`, expected usize` });
    return z.NEVER;
  }
  if (v < 0) {
    ctx.addIssue({ code: 'custom', message: `invalid value: integer \`${v}\`, expected usize` });
    return z.NEVER;
  }
  return Math.min(v, Number.MAX_SAFE_INTEGER);
});

/** Query-string flags Qdrant takes on updates. */
export const updateParamsSchema = z.object({
  wait: z.enum(['true', 'false']).optional(),
  ordering: z.enum(['weak', 'medium', 'strong']).optional(),
  timeout: z.string().regex(/^\d+$/).optional(),
});
