import { z } from 'zod';
import { uintSchema } from './common.js';
import { filterSchema } from './filter.js';

/** Facet and distance-matrix request bodies. */
export const facetRequestSchema = z.object({
  shard_key: z.unknown().optional(),
  key: z.string(),
  limit: uintSchema.nullish(),
  filter: filterSchema.nullish(),
  exact: z.boolean().nullish(),
});

export const matrixRequestSchema = z.object({
  shard_key: z.unknown().optional(),
  filter: filterSchema.nullish(),
  sample: uintSchema.nullish(),
  limit: uintSchema.nullish(),
  using: z.string().nullish(),
});
