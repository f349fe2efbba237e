import { z } from 'zod';
import { uintSchema, withPayloadSchema, withVectorSchema } from './common.js';
import { filterSchema } from './filter.js';
import { lookupLocationSchema, recommendStrategySchema, searchParamsSchema, withLookupSchema } from './query.js';
import { denseSchema, multiSchema, sparseSchema, vectorInputSchema } from './vectors.js';

/**
 * The search, recommend and discover families that Qdrant 1.19 dropped from its OpenAPI file but
 * still serves (older clients call them): plain, `/batch` and `/groups` forms. `limit` is required.
 */
export const namedVectorStructSchema = z.union(
  [denseSchema, multiSchema, z.object({ name: z.string(), vector: z.union([denseSchema, sparseSchema, multiSchema]) })],
  { error: 'data did not match any variant of untagged enum NamedVectorStruct' },
);

const readCommon = {
  shard_key: z.unknown().optional(),
  filter: filterSchema.nullish(),
  params: searchParamsSchema.nullish(),
  with_payload: withPayloadSchema.nullish(),
  with_vector: withVectorSchema.nullish(),
  with_vectors: withVectorSchema.nullish(),
  score_threshold: z.number().nullish(),
};

export const searchRequestSchema = z.object({ ...readCommon, vector: namedVectorStructSchema, limit: uintSchema, offset: uintSchema.nullish() });
export type SearchRequestWire = z.infer<typeof searchRequestSchema>;
export const searchBatchSchema = z.object({ searches: z.array(searchRequestSchema) });

const groupCommon = { group_by: z.string(), group_size: uintSchema, limit: uintSchema, with_lookup: withLookupSchema.nullish() };
export const searchGroupsSchema = z.object({ ...readCommon, vector: namedVectorStructSchema, ...groupCommon });
export type SearchGroupsWire = z.infer<typeof searchGroupsSchema>;

const recommendCommon = {
  ...readCommon,
  positive: z.array(vectorInputSchema).nullish(),
  negative: z.array(vectorInputSchema).nullish(),
  strategy: recommendStrategySchema.nullish(),
  using: z.string().nullish(),
  lookup_from: lookupLocationSchema.nullish(),
};
export const recommendRequestSchema = z.object({ ...recommendCommon, limit: uintSchema, offset: uintSchema.nullish() });
export type RecommendRequestWire = z.infer<typeof recommendRequestSchema>;
export const recommendBatchSchema = z.object({ searches: z.array(recommendRequestSchema) });
export const recommendGroupsSchema = z.object({ ...recommendCommon, ...groupCommon });
export type RecommendGroupsWire = z.infer<typeof recommendGroupsSchema>;

const contextPairSchema = z.object({ positive: vectorInputSchema, negative: vectorInputSchema });
export const discoverRequestSchema = z.object({
  ...readCommon,
  target: vectorInputSchema.nullish(),
  context: z.array(contextPairSchema).nullish(),
  using: z.string().nullish(),
  lookup_from: lookupLocationSchema.nullish(),
  limit: uintSchema,
  offset: uintSchema.nullish(),
});
export type DiscoverRequestWire = z.infer<typeof discoverRequestSchema>;
export const discoverBatchSchema = z.object({ searches: z.array(discoverRequestSchema) });
