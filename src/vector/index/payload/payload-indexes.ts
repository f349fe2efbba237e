import type { PayloadFieldSchema } from '../../collection/operations.js';
import type { PayloadIndexInfo } from '../../collection/requests.js';
import type { FieldChecks } from '../../segment/filter.js';
import { getValues, parseJsonPath, type JsonObject, type JsonPath } from '../../segment/json-path.js';
import type { FieldIndex, Selection } from './field-index.js';
import { ValueIndex } from './keyword-index.js';
import { NumericIndex } from './numeric-index.js';
import { GeoIndex, TextIndex } from './text-index.js';

interface Entry {
  field: string;
  path: JsonPath;
  schema: PayloadFieldSchema;
  index: FieldIndex;
  /** Integer indexes answer lookups here and ranges in `index`. */
  lookup?: ValueIndex;
}

/**
 * The payload indexes of a collection, by field name (a key path). Kept in step with every payload
 * change; rebuilt from the payloads at start (only their definitions are persisted).
 */
export class PayloadIndexes {
  private readonly entries = new Map<string, Entry>();

  get size(): number {
    return this.entries.size;
  }

  has(field: string): boolean {
    return this.entries.has(field);
  }

  /** Creates (or replaces) an index and fills it from the given points. */
  create(field: string, schema: PayloadFieldSchema, points: Iterable<[number, JsonObject]>): void {
    const parsed = parseJsonPath(field);
    if ('error' in parsed) throw new Error(parsed.error);
    const entry: Entry = { field, path: parsed, schema, index: makeIndex(schema) };
    if (schema.type === 'integer') entry.lookup = new ValueIndex('integer');
    for (const [slot, payload] of points) this.fill(entry, slot, payload);
    this.entries.set(field, entry);
  }

  drop(field: string): boolean {
    return this.entries.delete(field);
  }

  definitions(): Array<{ field: string; schema: PayloadFieldSchema }> {
    return [...this.entries.values()].map((e) => ({ field: e.field, schema: e.schema }));
  }

  /** Re-indexes a slot after its payload changed (undefined: the point is gone). */
  update(slot: number, payload: JsonObject | undefined): void {
    for (const entry of this.entries.values()) {
      if (payload) this.fill(entry, slot, payload);
      else {
        entry.index.remove(slot);
        entry.lookup?.remove(slot);
      }
    }
  }

  private fill(entry: Entry, slot: number, payload: JsonObject): void {
    const values = getValues(payload, entry.path);
    entry.index.set(slot, values);
    entry.lookup?.set(slot, values);
  }

  /** The index serving a condition key (`a` and `a[]` name the same leaf values). */
  private entryFor(key: JsonPath): Entry | undefined {
    return this.entries.get(key.text) ?? (key.text.endsWith('[]') ? this.entries.get(key.text.slice(0, -2)) : this.entries.get(`${key.text}[]`));
  }

  /** Candidate slots for a field condition from the index on its key, if there is one that can tell. */
  select(key: JsonPath, checks: FieldChecks): Selection | undefined {
    const entry = this.entryFor(key);
    if (!entry) return undefined;
    return entry.lookup?.select(checks) ?? entry.index.select(checks);
  }

  /** The range index of a key (integer, float, datetime), for `order_by`. */
  rangeIndex(key: JsonPath): NumericIndex | undefined {
    const index = this.entryFor(key)?.index;
    return index instanceof NumericIndex ? index : undefined;
  }

  /** The index able to count facet values of a key (keyword, integer, bool, uuid). */
  facetIndex(key: JsonPath): Pick<ValueIndex, 'facetValues' | 'valueCounts'> | undefined {
    const entry = this.entryFor(key);
    if (!entry) return undefined;
    if (entry.lookup) return entry.lookup;
    return entry.index instanceof ValueIndex ? entry.index : undefined;
  }

  /** Qdrant's `payload_schema`. */
  schema(): Record<string, PayloadIndexInfo> {
    const out: Record<string, PayloadIndexInfo> = {};
    for (const e of this.entries.values()) {
      const info: PayloadIndexInfo = { data_type: e.schema.type, points: e.index.pointsCount };
      if (e.schema.params) info.params = e.schema.params;
      Object.defineProperty(out, e.field, { value: info, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
}

function makeIndex(schema: PayloadFieldSchema): FieldIndex {
  switch (schema.type) {
    case 'keyword':
    case 'uuid':
    case 'bool':
      return new ValueIndex(schema.type);
    case 'integer':
    case 'float':
    case 'datetime':
      return new NumericIndex(schema.type);
    case 'text':
      return new TextIndex();
    case 'geo':
      return new GeoIndex();
  }
}
