import { z } from 'zod';
import type { PointId } from '../../segment/point-id.js';
import { pointIdSchema } from './common.js';

/**
 * Qdrant's filter, on the wire: `must` / `should` / `must_not` (each a condition or a list),
 * `min_should`; conditions are field conditions (`key` + `match` / `range` / `values_count` /
 * `is_empty` / `is_null`), `is_empty`, `is_null`, `has_id`, `has_vector`, `nested`, or a filter.
 */
export interface FilterWire {
  must?: ConditionWire | ConditionWire[] | null | undefined;
  should?: ConditionWire | ConditionWire[] | null | undefined;
  must_not?: ConditionWire | ConditionWire[] | null | undefined;
  min_should?: { conditions: ConditionWire[]; min_count: number } | null | undefined;
}

export type MatchWire =
  | { value: string | number | boolean }
  | { any: string[] | number[] }
  | { except: string[] | number[] }
  | { text: string }
  | { text_any: string }
  | { phrase: string }
  | { prefix: string };

export interface RangeWire {
  lt?: number | string | null | undefined;
  gt?: number | string | null | undefined;
  lte?: number | string | null | undefined;
  gte?: number | string | null | undefined;
}

export interface CountWire {
  lt?: number | null | undefined;
  gt?: number | null | undefined;
  lte?: number | null | undefined;
  gte?: number | null | undefined;
}

export type ConditionWire =
  | {
      key: string;
      match?: MatchWire | null | undefined;
      range?: RangeWire | null | undefined;
      values_count?: CountWire | null | undefined;
      is_empty?: boolean | null | undefined;
      is_null?: boolean | null | undefined;
      geo_radius?: unknown;
      geo_bounding_box?: unknown;
      geo_polygon?: unknown;
    }
  | { is_empty: { key: string } }
  | { is_null: { key: string } }
  | { has_id: PointId[] }
  | { has_vector: string }
  | { nested: { key: string; filter: FilterWire } }
  | FilterWire;

const CONDITION_ERROR =
  'Expected some form of condition, which can be a field condition (like {"key": ..., "match": ... }), or some other mentioned in the documentation: https://qdrant.tech/documentation/concepts/filtering/#filtering-conditions';

const integer = z.number().int();
const keywords = z.array(z.string());
const integers = z.array(integer);

const matchSchema = z.union(
  [
    z.object({ value: z.union([z.string(), integer, z.boolean()]) }),
    z.object({ any: z.union([keywords, integers]) }),
    z.object({ except: z.union([keywords, integers]) }),
    z.object({ text: z.string() }),
    z.object({ text_any: z.string() }),
    z.object({ phrase: z.string() }),
    z.object({ prefix: z.string() }),
  ],
  { error: 'data did not match any variant of untagged enum Match' },
);

const bound = z.union([z.number(), z.string()]).nullish();
const rangeSchema = z.object({ lt: bound, gt: bound, lte: bound, gte: bound });
const countBound = z.number().int().nonnegative().nullish();
const countSchema = z.object({ lt: countBound, gt: countBound, lte: countBound, gte: countBound });

const fieldConditionSchema = z.object({
  key: z.string(),
  match: matchSchema.nullish(),
  range: rangeSchema.nullish(),
  values_count: countSchema.nullish(),
  is_empty: z.boolean().nullish(),
  is_null: z.boolean().nullish(),
  geo_radius: z.unknown().optional(),
  geo_bounding_box: z.unknown().optional(),
  geo_polygon: z.unknown().optional(),
});

export const conditionSchema: z.ZodType<ConditionWire> = z.lazy(() =>
  z.union(
    [
      fieldConditionSchema,
      z.object({ is_empty: z.object({ key: z.string() }) }),
      z.object({ is_null: z.object({ key: z.string() }) }),
      z.object({ has_id: z.array(pointIdSchema) }),
      z.object({ has_vector: z.string() }),
      z.object({ nested: z.object({ key: z.string(), filter: filterSchema }) }),
      filterSchema,
    ],
    { error: CONDITION_ERROR },
  ),
);

const oneOrMany = z.union([z.array(z.lazy(() => conditionSchema)), z.lazy(() => conditionSchema)], { error: CONDITION_ERROR }).nullish();

export const filterSchema: z.ZodType<FilterWire> = z.lazy(() =>
  z.strictObject({
    must: oneOrMany,
    should: oneOrMany,
    must_not: oneOrMany,
    min_should: z.object({ conditions: z.array(conditionSchema), min_count: z.number().int().nonnegative() }).nullish(),
  }),
);
