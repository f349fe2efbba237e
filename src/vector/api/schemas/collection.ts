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
  multivector_config: z.object({ comparator: z.enum(['max_sim']) }).nullish(),
});
export type VectorParamsWire = z.infer<typeof vectorParamsSchema>;

export const vectorsConfigSchema = z.union([vectorParamsSchema, z.record(z.string(), vectorParamsSchema)], {
  error: 'data did not match any variant of untagged enum VectorsConfig',
});

const positiveInt = z.number().int().nonnegative();

export const sparseVectorParamsSchema = z.object({ index: jsonObjectSchema.nullish(), modifier: z.enum(['none', 'idf']).nullish() });

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
  sparse_vectors: z.record(z.string(), sparseVectorParamsSchema).nullish(),
  strict_mode_config: jsonObjectSchema.nullish(),
  metadata: jsonObjectSchema.nullish(),
  init_from: z.unknown().optional(),
});
export type CreateCollectionWire = z.infer<typeof createCollectionSchema>;

/** `PATCH /collections/{name}` (UpdateCollection): diffs of the mutable parameters. */
export const updateCollectionSchema = z.object({
  vectors: z.record(z.string(), z.object({ hnsw_config: jsonObjectSchema.nullish(), quantization_config: z.unknown().optional(), on_disk: z.boolean().nullish(), memory: z.string().nullish() })).nullish(),
  optimizers_config: jsonObjectSchema.nullish(),
  params: jsonObjectSchema.nullish(),
  hnsw_config: jsonObjectSchema.nullish(),
  quantization_config: z.unknown().optional(),
  sparse_vectors: z.record(z.string(), sparseVectorParamsSchema).nullish(),
  strict_mode_config: jsonObjectSchema.nullish(),
  metadata: jsonObjectSchema.nullish(),
});
export type UpdateCollectionWire = z.infer<typeof updateCollectionSchema>;

/** `PUT /collections/{name}/vectors/{vector}` (VectorNameConfig): a dense or a sparse vector space. */
export const vectorNameConfigSchema = z.union(
  [
    z.object({
      dense: z.object({ size: z.number().int().positive(), distance: distanceSchema, multivector_config: z.object({ comparator: z.enum(['max_sim']) }).nullish(), datatype: z.string().nullish() }),
    }),
    z.object({ sparse: z.object({ modifier: z.enum(['none', 'idf']).nullish(), datatype: z.string().nullish() }) }),
  ],
  { error: 'data did not match any variant of untagged enum VectorNameConfig' },
);
export type VectorNameConfigWire = z.infer<typeof vectorNameConfigSchema>;
