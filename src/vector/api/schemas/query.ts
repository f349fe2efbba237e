import { z } from 'zod';
import { uintSchema, withPayloadSchema, withVectorSchema } from './common.js';
import { filterSchema } from './filter.js';
import { vectorInputSchema, type VectorInputWire } from './vectors.js';

/**
 * The Query API on the wire: `POST /points/query` (and its batch and groups forms). `query` is a
 * vector input (vector or point id) or one of the query kinds; `prefetch` nests.
 */
export const searchParamsSchema = z.object({
  hnsw_ef: uintSchema.nullish(),
  exact: z.boolean().nullish(),
  indexed_only: z.boolean().nullish(),
  quantization: z.unknown().optional(),
  acorn: z.unknown().optional(),
  idf: z.unknown().optional(),
});
export type SearchParamsWire = z.infer<typeof searchParamsSchema>;

export const lookupLocationSchema = z.object({ collection: z.string(), vector: z.string().nullish(), shard_key: z.unknown().optional() });
export type LookupLocationWire = z.infer<typeof lookupLocationSchema>;

const contextPairSchema = z.object({ positive: vectorInputSchema, negative: vectorInputSchema });
const contextSchema = z.union([contextPairSchema, z.array(contextPairSchema)]).nullish();

export const recommendStrategySchema = z.enum(['average_vector', 'best_score', 'sum_scores']);

const orderBySchema = z.union([
  z.string(),
  z.object({ key: z.string(), direction: z.enum(['asc', 'desc']).nullish(), start_from: z.union([z.number(), z.string()]).nullish() }),
]);
export type OrderByWire = z.infer<typeof orderBySchema>;

const mmrSchema = z.object({ diversity: z.number().nullish(), candidates_limit: uintSchema.nullish() });

export type QueryWire =
  | { nearest: VectorInputWire; mmr?: z.infer<typeof mmrSchema> | null | undefined }
  | { recommend: { positive?: VectorInputWire[] | null | undefined; negative?: VectorInputWire[] | null | undefined; strategy?: z.infer<typeof recommendStrategySchema> | null | undefined } }
  | { discover: { target: VectorInputWire; context?: ContextWire | null | undefined } }
  | { context: ContextWire | null | undefined }
  | { order_by: OrderByWire }
  | { fusion: 'rrf' | 'dbsf' }
  | { rrf: { k?: number | null | undefined; weights?: number[] | null | undefined } }
  | { sample: 'random' }
  | { formula: unknown; defaults?: Record<string, unknown> | null | undefined }
  | { relevance_feedback: { target: VectorInputWire; feedback: Array<{ example: VectorInputWire; score: number }>; strategy: { naive: { a: number; b: number; c: number } } } };

type ContextPairWire = z.infer<typeof contextPairSchema>;
type ContextWire = ContextPairWire | ContextPairWire[];

/** A query kind Phoenix recognises but does not run (reported as such, never ignored). */
const feedbackSchema = z.object({
  relevance_feedback: z.object({
    target: vectorInputSchema,
    feedback: z.array(z.object({ example: vectorInputSchema, score: z.number() })),
    strategy: z.object({ naive: z.object({ a: z.number(), b: z.number(), c: z.number() }) }),
  }),
});

export const queryInterfaceSchema = z.union(
  [
    vectorInputSchema,
    z.object({ nearest: vectorInputSchema, mmr: mmrSchema.nullish() }),
    z.object({ recommend: z.object({ positive: z.array(vectorInputSchema).nullish(), negative: z.array(vectorInputSchema).nullish(), strategy: recommendStrategySchema.nullish() }) }),
    z.object({ discover: z.object({ target: vectorInputSchema, context: contextSchema }) }),
    z.object({ context: z.union([contextPairSchema, z.array(contextPairSchema), z.null()]) }),
    z.object({ order_by: orderBySchema }),
    z.object({ fusion: z.enum(['rrf', 'dbsf']) }),
    z.object({ rrf: z.object({ k: uintSchema.nullish(), weights: z.array(z.number()).nullish() }) }),
    z.object({ sample: z.enum(['random']) }),
    z.object({ formula: z.union([z.number(), z.string(), z.record(z.string(), z.unknown())]), defaults: z.record(z.string(), z.unknown()).nullish() }),
    feedbackSchema,
  ],
  { error: 'Expected some form of vector, id, or a type of query' },
);
export type QueryInterfaceWire = VectorInputWire | QueryWire;

export interface PrefetchWire {
  prefetch?: PrefetchWire | PrefetchWire[] | null | undefined;
  query?: QueryInterfaceWire | null | undefined;
  using?: string | null | undefined;
  filter?: z.infer<typeof filterSchema> | null | undefined;
  params?: SearchParamsWire | null | undefined;
  score_threshold?: number | null | undefined;
  limit?: number | null | undefined;
  lookup_from?: LookupLocationWire | null | undefined;
}

export const prefetchSchema: z.ZodType<PrefetchWire> = z.lazy(() =>
  z.object({
    prefetch: z.union([prefetchSchema, z.array(prefetchSchema)]).nullish(),
    query: queryInterfaceSchema.nullish(),
    using: z.string().nullish(),
    filter: filterSchema.nullish(),
    params: searchParamsSchema.nullish(),
    score_threshold: z.number().nullish(),
    limit: uintSchema.nullish(),
    lookup_from: lookupLocationSchema.nullish(),
  }),
) as z.ZodType<PrefetchWire>;

const queryCommon = {
  shard_key: z.unknown().optional(),
  prefetch: z.union([prefetchSchema, z.array(prefetchSchema)]).nullish(),
  query: queryInterfaceSchema.nullish(),
  using: z.string().nullish(),
  filter: filterSchema.nullish(),
  params: searchParamsSchema.nullish(),
  score_threshold: z.number().nullish(),
  with_vector: withVectorSchema.nullish(),
  with_vectors: withVectorSchema.nullish(),
  with_payload: withPayloadSchema.nullish(),
  lookup_from: lookupLocationSchema.nullish(),
};

export const queryRequestSchema = z.object({ ...queryCommon, limit: uintSchema.nullish(), offset: uintSchema.nullish() });
export type QueryRequestWire = z.infer<typeof queryRequestSchema>;

export const queryBatchSchema = z.object({ searches: z.array(queryRequestSchema) });

export const withLookupSchema = z.union([
  z.string(),
  z.object({ collection: z.string(), with_payload: withPayloadSchema.nullish(), with_vectors: withVectorSchema.nullish(), with_vector: withVectorSchema.nullish() }),
]);
export type WithLookupWire = z.infer<typeof withLookupSchema>;

export const queryGroupsSchema = z.object({
  ...queryCommon,
  group_by: z.string(),
  group_size: uintSchema.nullish(),
  limit: uintSchema.nullish(),
  with_lookup: withLookupSchema.nullish(),
});
export type QueryGroupsWire = z.infer<typeof queryGroupsSchema>;
