import { z } from 'zod';
import { jsonObjectSchema } from './common.js';

/** `PUT /collections/{name}` body (Qdrant's CreateCollection). */
export const distanceSchema = z.enum(['Cosine', 'Euclid', 'Dot', 'Manhattan']);

export const vectorParamsSchema = z.object({
  size: z.number().int().positive(),
  distance: distanceSchema,
  hnsw_config: jsonObjectSchema.nullish(),
  quantization_config: jsonObjectSchema.nullish(),
  on_disk: z.boolean().nullish(),
  memory: z.string().nullish(),
  datatype: z.enum(['float32', 'float16', 'uint8', 'turbo4']).nullish(),
  multivector_config: jsonObjectSchema.nullish(),
});
export type VectorParamsWire = z.infer<typeof vectorParamsSchema>;

export const vectorsConfigSchema = z.union([vectorParamsSchema, z.record(z.string(), vectorParamsSchema)], {
  error: 'data did not match any variant of untagged enum VectorsConfig',
});

const positiveInt = z.number().int().nonnegative();

export const createCollectionSchema = z.object({
  vectors: vectorsConfigSchema.optional(),
  shard_number: positiveInt.nullish(),
  sharding_method: z.enum(['auto', 'custom']).nullish(),
  replication_factor: positiveInt.nullish(),
  write_consistency_factor: positiveInt.nullish(),
  on_disk_payload: z.boolean().nullish(),
  payload: jsonObjectSchema.nullish(),
  hnsw_config: jsonObjectSchema.nullish(),
  wal_config: jsonObjectSchema.nullish(),
  optimizers_config: jsonObjectSchema.nullish(),
  quantization_config: jsonObjectSchema.nullish(),
  sparse_vectors: jsonObjectSchema.nullish(),
  strict_mode_config: jsonObjectSchema.nullish(),
  metadata: jsonObjectSchema.nullish(),
});
export type CreateCollectionWire = z.infer<typeof createCollectionSchema>;
