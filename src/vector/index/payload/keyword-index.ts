import type { PayloadSchemaType } from '../../collection/operations.js';
import type { FieldChecks } from '../../segment/filter.js';
import type { JsonValue } from '../../segment/json-path.js';
import { normaliseUuid } from '../../segment/point-id.js';
import { flatten, ForeignSlots, soleCheck, type FieldIndex, type Selection } from './field-index.js';

type Key = string | number | boolean;

/**
 * An exact-value index: value → slots. Serves `keyword` and `uuid` (strings), `integer` lookups and
 * `bool`. Answers `match: value`, `match: any` and (keyword) `match: prefix`; counts facets.
 */
export class ValueIndex implements FieldIndex {
  private readonly postings = new Map<Key, Set<number>>();
  private readonly bySlot: Array<Key[] | undefined> = [];
  private readonly foreign = new ForeignSlots();
  private count = 0;

  constructor(readonly type: PayloadSchemaType) {}

  get pointsCount(): number {
    return this.count;
  }

  /** The index key of a JSON value, or undefined when the value is not of the index's type. */
  private key(v: JsonValue): Key | undefined {
    switch (this.type) {
      case 'keyword':
        return typeof v === 'string' ? v : undefined;
      case 'uuid':
        return typeof v === 'string' ? normaliseUuid(v) : undefined;
      case 'integer':
        return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
      case 'bool':
        return typeof v === 'boolean' ? v : undefined;
      default:
        return undefined;
    }
  }

  set(slot: number, values: readonly JsonValue[]): void {
    this.remove(slot);
    const keys: Key[] = [];
    let foreign = false;
    for (const v of flatten(values)) {
      const k = this.key(v);
      if (k === undefined) {
        if (v !== null) foreign = true;
        continue;
      }
      if (keys.includes(k)) continue;
      keys.push(k);
      let set = this.postings.get(k);
      if (!set) this.postings.set(k, (set = new Set()));
      set.add(slot);
    }
    this.foreign.update(slot, foreign);
    if (keys.length > 0) {
      this.bySlot[slot] = keys;
      this.count++;
    }
  }

  remove(slot: number): void {
    this.foreign.update(slot, false);
    const keys = this.bySlot[slot];
    if (!keys) return;
    for (const k of keys) {
      const set = this.postings.get(k)!;
      set.delete(slot);
      if (set.size === 0) this.postings.delete(k);
    }
    this.bySlot[slot] = undefined;
    this.count--;
  }

  facetValues(slot: number): readonly Key[] | undefined {
    return this.bySlot[slot];
  }

  select(condition: FieldChecks): Selection | undefined {
    const sole = soleCheck(condition);
    if (!sole || !('match' in sole)) return undefined;
    const m = sole.match;
    const slots: number[] = [];
    const add = (k: Key | undefined) => {
      const set = k === undefined ? undefined : this.postings.get(k);
      if (set) for (const s of set) slots.push(s);
    };
    switch (m.type) {
      case 'value':
        if (typeof m.value === 'number' && this.type !== 'integer') return undefined;
        if (typeof m.value === 'string' && this.type !== 'keyword' && this.type !== 'uuid') return undefined;
        if (typeof m.value === 'boolean' && this.type !== 'bool') return undefined;
        add(this.key(m.value));
        // A uuid index normalises; a uuid condition on raw text matches only identical text.
        return this.type === 'uuid' ? { slots, exact: false } : this.foreign.widen(slots);
      case 'any':
        if (m.any.length > 0 && typeof m.any[0] === 'number' && this.type !== 'integer') return undefined;
        if (m.any.length > 0 && typeof m.any[0] === 'string' && this.type !== 'keyword' && this.type !== 'uuid') return undefined;
        for (const v of m.any) add(this.key(v));
        return this.type === 'uuid' ? { slots, exact: false } : this.foreign.widen(slots);
      case 'prefix':
        if (this.type !== 'keyword') return undefined;
        for (const [k, set] of this.postings) if ((k as string).startsWith(m.prefix)) for (const s of set) slots.push(s);
        return this.foreign.widen(slots);
      default:
        return undefined;
    }
  }

  /** Distinct values and how many points hold each (unfiltered facets). */
  *valueCounts(): Generator<[Key, number]> {
    for (const [k, set] of this.postings) yield [k, set.size];
  }
}
