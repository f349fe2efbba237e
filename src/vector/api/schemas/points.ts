import { z } from 'zod';
import { denseVectorSchema, jsonObjectSchema, pointIdSchema, uintSchema, withPayloadSchema, withVectorSchema } from './common.js';
import { filterSchema } from './filter.js';

/** Point request bodies: upsert (list and batch forms), retrieve, delete, scroll, count. */
export const vectorStructSchema = z.union([denseVectorSchema, z.record(z.string(), denseVectorSchema)], {
  error: 'data did not match any variant of untagged enum VectorStruct',
});

export const pointStructSchema = z.object({
  id: pointIdSchema,
  vector: vectorStructSchema,
  payload: jsonObjectSchema.nullish(),
});

export const upsertListSchema = z.object({ points: z.array(pointStructSchema), update_filter: filterSchema.nullish(), update_mode: z.string().nullish() });

export const upsertBatchSchema = z.object({
  batch: z.object({
    ids: z.array(pointIdSchema),
    vectors: z.union([z.array(denseVectorSchema), z.record(z.string(), z.array(denseVectorSchema))], {
      error: 'data did not match any variant of untagged enum BatchVectorStruct',
    }),
    payloads: z.array(jsonObjectSchema.nullable()).nullish(),
  }),
  update_filter: filterSchema.nullish(),
  update_mode: z.string().nullish(),
});

export type UpsertWire = z.infer<typeof upsertBatchSchema> | z.infer<typeof upsertListSchema>;

/** Like Qdrant, the upsert form is chosen by its key (`batch` or `points`), so errors name the real problem. */
export function upsertSchemaFor(body: unknown): typeof upsertBatchSchema | typeof upsertListSchema {
  return typeof body === 'object' && body !== null && 'batch' in body ? upsertBatchSchema : upsertListSchema;
}

export const pointRequestSchema = z.object({
  ids: z.array(pointIdSchema),
  with_payload: withPayloadSchema.nullish(),
  with_vector: withVectorSchema.nullish(),
});

const pointIdsSelectorSchema = z.object({ points: z.array(pointIdSchema) });
const filterSelectorSchema = z.object({ filter: filterSchema });
export type PointsSelectorWire = z.infer<typeof pointIdsSelectorSchema> | z.infer<typeof filterSelectorSchema>;

/** `{points: [...]}` or `{filter: {...}}`, chosen by key. */
export function pointsSelectorSchemaFor(body: unknown): typeof pointIdsSelectorSchema | typeof filterSelectorSchema {
  return typeof body === 'object' && body !== null && 'filter' in body && !('points' in body) ? filterSelectorSchema : pointIdsSelectorSchema;
}

export const scrollRequestSchema = z.object({
  offset: pointIdSchema.nullish(),
  limit: uintSchema.nullish(),
  filter: filterSchema.nullish(),
  with_payload: withPayloadSchema.nullish(),
  with_vector: withVectorSchema.nullish(),
  order_by: z.unknown().optional(),
});

export const countRequestSchema = z.object({
  filter: filterSchema.nullish(),
  exact: z.boolean().optional(),
});
