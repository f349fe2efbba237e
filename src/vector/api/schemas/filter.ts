import { z } from 'zod';
import type { PointId } from '../../segment/point-id.js';
import { pointIdSchema } from './common.js';

/**
 * Qdrant's filter, on the wire: `must` / `should` / `must_not` (each a condition or a list),
 * `min_should`; conditions are field conditions (`key` + `match` / `range` / geo / `values_count` /
 * `is_empty` / `is_null`), `is_empty`, `is_null`, `has_id`, `has_vector`, `slice`, `nested`, or a
 * filter. Shapes are checked here (400 `Format error`); bounds are checked when converting (422).
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

export interface GeoPointWire {
  lon: number;
  lat: number;
}

export interface FieldConditionWire {
  key: string;
  match?: MatchWire | null | undefined;
  range?: RangeWire | null | undefined;
  geo_bounding_box?: { top_left: GeoPointWire; bottom_right: GeoPointWire } | null | undefined;
  geo_radius?: { center: GeoPointWire; radius: number } | null | undefined;
  geo_polygon?: { exterior: { points: GeoPointWire[] }; interiors?: Array<{ points: GeoPointWire[] }> | null | undefined } | null | undefined;
  values_count?: CountWire | null | undefined;
  is_empty?: boolean | null | undefined;
  is_null?: boolean | null | undefined;
}

export type ConditionWire =
  | FieldConditionWire
  | { is_empty: { key: string } }
  | { is_null: { key: string } }
  | { has_id: PointId[] }
  | { has_vector: string }
  | { slice: { total: number; index: number } }
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

const geoPointSchema = z.object({ lon: z.number(), lat: z.number() });
const lineStringSchema = z.object({ points: z.array(geoPointSchema) }).refine((l) => l.points.length > 3, {
  error: (issue) => `polygon invalid, the size must be at least 4, got ${(issue.input as { points: unknown[] }).points.length}`,
});
const closedLineSchema = lineStringSchema.refine(
  (l) => {
    const first = l.points[0]!;
    const last = l.points[l.points.length - 1]!;
    return Math.abs(first.lat - last.lat) <= Number.EPSILON && Math.abs(first.lon - last.lon) <= Number.EPSILON;
  },
  { error: 'polygon invalid, the first and the last points should be the same to form a closed line' },
);

const fieldConditionSchema = z.object({
  key: z.string(),
  match: matchSchema.nullish(),
  range: rangeSchema.nullish(),
  geo_bounding_box: z.object({ top_left: geoPointSchema, bottom_right: geoPointSchema }).nullish(),
  geo_radius: z.object({ center: geoPointSchema, radius: z.number() }).nullish(),
  geo_polygon: z.object({ exterior: closedLineSchema, interiors: z.array(closedLineSchema).nullish() }).nullish(),
  values_count: countSchema.nullish(),
  is_empty: z.boolean().nullish(),
  is_null: z.boolean().nullish(),
});

export const conditionSchema: z.ZodType<ConditionWire> = z.lazy(() =>
  z.union(
    [
      fieldConditionSchema,
      z.object({ is_empty: z.object({ key: z.string() }) }),
      z.object({ is_null: z.object({ key: z.string() }) }),
      z.object({ has_id: z.array(pointIdSchema) }),
      z.object({ has_vector: z.string() }),
      z.object({ slice: z.object({ total: z.number().int().min(1).max(4294967295), index: z.number().int().min(0).max(4294967295) }) }),
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
