import { z } from 'zod';
import { denseVectorSchema, pointIdSchema, uintSchema, withPayloadSchema, withVectorSchema } from './common.js';
import { filterSchema } from './filter.js';

/**
 * `POST /points/query` (Query API) and the legacy `POST /points/search`. `query` is a vector, a
 * point id, `{nearest: vector | id}`, or another query kind (recommend, fusion, …), which this
 * slice reports as not supported.
 */
const vectorInputSchema = z.union([denseVectorSchema, pointIdSchema], { error: 'Expected some form of vector, id, or a type of query' });

const OTHER_QUERIES = ['recommend', 'discover', 'context', 'order_by', 'fusion', 'rrf', 'formula', 'sample'] as const;

export const queryInterfaceSchema = z.union(
  [
    vectorInputSchema,
    z.object({ nearest: vectorInputSchema, mmr: z.unknown().optional() }),
    z
      .looseObject({})
      .refine((o) => OTHER_QUERIES.some((k) => k in o))
      .transform((o) => ({ unsupported: OTHER_QUERIES.find((k) => k in o) ?? 'unknown' })),
  ],
  { error: 'Expected some form of vector, id, or a type of query' },
);
export type QueryInterfaceWire = z.infer<typeof queryInterfaceSchema>;

const searchParamsSchema = z.object({ hnsw_ef: uintSchema.nullish(), exact: z.boolean().optional(), indexed_only: z.boolean().optional(), quantization: z.unknown().optional() });

export const queryRequestSchema = z.object({
  query: queryInterfaceSchema.nullish(),
  using: z.string().nullish(),
  filter: filterSchema.nullish(),
  params: searchParamsSchema.nullish(),
  score_threshold: z.number().nullish(),
  limit: uintSchema.nullish(),
  offset: uintSchema.nullish(),
  with_vector: withVectorSchema.nullish(),
  with_vectors: withVectorSchema.nullish(),
  with_payload: withPayloadSchema.nullish(),
  prefetch: z.unknown().optional(),
  lookup_from: z.unknown().optional(),
});
export type QueryRequestWire = z.infer<typeof queryRequestSchema>;

/** Legacy search: `vector` is a vector or `{name, vector}`; `limit` is required. */
export const searchRequestSchema = z.object({
  vector: z.union([denseVectorSchema, z.object({ name: z.string(), vector: denseVectorSchema })], { error: 'data did not match any variant of untagged enum NamedVectorStruct' }),
  filter: filterSchema.nullish(),
  params: searchParamsSchema.nullish(),
  limit: uintSchema,
  offset: uintSchema.nullish(),
  with_payload: withPayloadSchema.nullish(),
  with_vector: withVectorSchema.nullish(),
  score_threshold: z.number().nullish(),
});
export type SearchRequestWire = z.infer<typeof searchRequestSchema>;
