import { z } from 'zod';
import { jsonObjectSchema, pointIdSchema } from './common.js';
import { filterSchema } from './filter.js';

/** Payload update bodies: set (POST) and overwrite (PUT) share SetPayload; delete takes keys. */
export const setPayloadSchema = z.object({
  payload: jsonObjectSchema,
  points: z.array(pointIdSchema).nullish(),
  filter: filterSchema.nullish(),
  key: z.string().nullish(),
  shard_key: z.unknown().optional(),
});
export type SetPayloadWire = z.infer<typeof setPayloadSchema>;

export const deletePayloadSchema = z.object({
  keys: z.array(z.string()),
  points: z.array(pointIdSchema).nullish(),
  filter: filterSchema.nullish(),
  shard_key: z.unknown().optional(),
});
export type DeletePayloadWire = z.infer<typeof deletePayloadSchema>;
