import { z } from 'zod';
import { jsonObjectSchema, pointIdSchema, uintSchema, withPayloadSchema, withVectorSchema } from './common.js';
import { filterSchema } from './filter.js';
import { denseSchema, multiSchema, vectorValueSchema } from './vectors.js';

/**
 * Point request bodies: upsert (list and batch forms), retrieve, delete, update/delete vectors,
 * scroll, count, batch update. Inference objects in place of vectors are recognised and refused.
 */
const inferenceSchema = z
  .union([z.object({ text: z.string(), model: z.string() }), z.object({ image: z.unknown(), model: z.string() }), z.object({ object: z.unknown(), model: z.string() })])
  .transform(() => ({ inference: true as const }));

export const vectorStructSchema = z.union([denseSchema, multiSchema, z.record(z.string(), z.union([vectorValueSchema, inferenceSchema])), inferenceSchema], {
  error: 'data did not match any variant of untagged enum VectorStruct',
});
export type VectorStructWire = z.infer<typeof vectorStructSchema>;

export const pointStructSchema = z.object({ id: pointIdSchema, vector: vectorStructSchema, payload: jsonObjectSchema.nullish() });

const updateMode = z.enum(['upsert', 'insert_only', 'update_only']).nullish();

export const upsertListSchema = z.object({ points: z.array(pointStructSchema), shard_key: z.unknown().optional(), update_filter: filterSchema.nullish(), update_mode: updateMode });

export const batchVectorsSchema = z.union([z.array(denseSchema), z.array(multiSchema), z.record(z.string(), z.array(vectorValueSchema))], {
  error: 'data did not match any variant of untagged enum BatchVectorStruct',
});

export const upsertBatchSchema = z.object({
  batch: z.object({ ids: z.array(pointIdSchema), vectors: batchVectorsSchema, payloads: z.array(jsonObjectSchema.nullable()).nullish() }),
  shard_key: z.unknown().optional(),
  update_filter: filterSchema.nullish(),
  update_mode: updateMode,
});

export type UpsertWire = z.infer<typeof upsertBatchSchema> | z.infer<typeof upsertListSchema>;

/** Like Qdrant, the upsert form is chosen by its key (`batch` or `points`), so errors name the real problem. */
export function upsertSchemaFor(body: unknown): typeof upsertBatchSchema | typeof upsertListSchema {
  return typeof body === 'object' && body !== null && 'batch' in body ? upsertBatchSchema : upsertListSchema;
}

export const pointRequestSchema = z.object({
  shard_key: z.unknown().optional(),
  ids: z.array(pointIdSchema),
  with_payload: withPayloadSchema.nullish(),
  with_vector: withVectorSchema.nullish(),
  with_vectors: withVectorSchema.nullish(),
});

const pointIdsSelectorSchema = z.object({ points: z.array(pointIdSchema), shard_key: z.unknown().optional() });
const filterSelectorSchema = z.object({ filter: filterSchema, shard_key: z.unknown().optional() });
export type PointsSelectorWire = z.infer<typeof pointIdsSelectorSchema> | z.infer<typeof filterSelectorSchema>;

/** `{points: [...]}` or `{filter: {...}}`, chosen by key. */
export function pointsSelectorSchemaFor(body: unknown): typeof pointIdsSelectorSchema | typeof filterSelectorSchema {
  return typeof body === 'object' && body !== null && 'filter' in body && !('points' in body) ? filterSelectorSchema : pointIdsSelectorSchema;
}
export const pointsSelectorSchema = z.union([pointIdsSelectorSchema, filterSelectorSchema], { error: 'data did not match any variant of untagged enum PointsSelector' });

export const updateVectorsSchema = z.object({
  points: z.array(z.object({ id: pointIdSchema, vector: vectorStructSchema })),
  shard_key: z.unknown().optional(),
  update_filter: filterSchema.nullish(),
});
export type UpdateVectorsWire = z.infer<typeof updateVectorsSchema>;

export const deleteVectorsSchema = z.object({
  points: z.array(pointIdSchema).nullish(),
  filter: filterSchema.nullish(),
  vector: z.array(z.string()),
  shard_key: z.unknown().optional(),
});
export type DeleteVectorsWire = z.infer<typeof deleteVectorsSchema>;

export const scrollRequestSchema = z.object({
  shard_key: z.unknown().optional(),
  offset: pointIdSchema.nullish(),
  limit: uintSchema.nullish(),
  filter: filterSchema.nullish(),
  with_payload: withPayloadSchema.nullish(),
  with_vector: withVectorSchema.nullish(),
  with_vectors: withVectorSchema.nullish(),
  order_by: z.union([z.string(), z.object({ key: z.string(), direction: z.enum(['asc', 'desc']).nullish(), start_from: z.union([z.number(), z.string()]).nullish() })]).nullish(),
});

export const countRequestSchema = z.object({ shard_key: z.unknown().optional(), filter: filterSchema.nullish(), exact: z.boolean().nullish() });
