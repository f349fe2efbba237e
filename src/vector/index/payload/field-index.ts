import type { PayloadSchemaType } from '../../collection/operations.js';
import type { FieldChecks, Match, Range } from '../../segment/filter.js';
import type { JsonValue } from '../../segment/json-path.js';

/**
 * A payload index over one key: the values of every point at that key, organised so that field
 * conditions are answered without looking at payloads. Values of another type than the index's
 * ("foreign" values, e.g. a float in an integer index) are not indexed, but the points holding them
 * are remembered, so a selection is always a superset of the true matches, and exact when no point
 * holds foreign values.
 */
export interface FieldIndex {
  readonly type: PayloadSchemaType;
  /** Points with at least one indexed value (Qdrant's `points` in `payload_schema`). */
  readonly pointsCount: number;
  /** Replaces the values of a slot (`values`: the JSON values at the key, arrays flattened). */
  set(slot: number, values: readonly JsonValue[]): void;
  remove(slot: number): void;
  /** Slots that may match the condition, or undefined when this index cannot tell. */
  select(condition: FieldChecks): Selection | undefined;
  /** Facet values of a slot (keyword, integer, bool indexes), each distinct value once. */
  facetValues?(slot: number): ReadonlyArray<string | number | boolean> | undefined;
}

export interface Selection {
  /** Candidate slots (may repeat). */
  slots: number[];
  /** True when every listed slot matches (no check needed). */
  exact: boolean;
}

/** The JSON values at a key, with arrays flattened one level (each element is indexed). */
export function flatten(values: readonly JsonValue[]): JsonValue[] {
  const out: JsonValue[] = [];
  for (const v of values) {
    if (Array.isArray(v)) for (const x of v) out.push(x);
    else out.push(v);
  }
  return out;
}

/** The single match or range a field condition holds, or undefined when it has other checks. */
export function soleCheck(c: FieldChecks): { match: Match } | { range: Range } | undefined {
  const others = c.valuesCount !== undefined || c.isEmpty !== undefined || c.isNull !== undefined || c.geoBoundingBox !== undefined || c.geoRadius !== undefined || c.geoPolygon !== undefined;
  if (others) return undefined;
  if (c.match && !c.range) return { match: c.match };
  if (c.range && !c.match) return { range: c.range };
  return undefined;
}

/** Tracks the slots holding values an index does not index. */
export class ForeignSlots {
  private readonly slots = new Set<number>();

  get size(): number {
    return this.slots.size;
  }

  update(slot: number, hasForeign: boolean): void {
    if (hasForeign) this.slots.add(slot);
    else this.slots.delete(slot);
  }

  /** `slots` plus every slot with foreign values; exact when there are none. */
  widen(slots: number[]): Selection {
    if (this.slots.size === 0) return { slots, exact: true };
    for (const s of this.slots) slots.push(s);
    return { slots, exact: false };
  }
}
