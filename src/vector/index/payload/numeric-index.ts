import type { PayloadSchemaType } from '../../collection/operations.js';
import { parseDateTime, type FieldChecks, type Range } from '../../segment/filter.js';
import type { JsonValue } from '../../segment/json-path.js';
import { flatten, ForeignSlots, soleCheck, type FieldIndex, type Selection } from './field-index.js';

/**
 * A range index over numbers (`integer`, `float`) or date-times (`datetime`, as epoch ms): sorted
 * (value, slot) entries for range conditions, range estimates and `order_by`. Changes go to a small
 * unsorted delta, merged into the sorted part once it grows; an entry is valid while its slot's
 * generation is unchanged, so removals cost nothing until the next merge.
 */
export class NumericIndex implements FieldIndex {
  private values = new Float64Array(0);
  private slots = new Int32Array(0);
  private gens = new Uint32Array(0);
  private deltaValues: number[] = [];
  private deltaSlots: number[] = [];
  private deltaGens: number[] = [];
  private slotGen = new Uint32Array(64);
  private readonly bySlot: Array<number[] | undefined> = [];
  private readonly foreign = new ForeignSlots();
  private count = 0;
  /** Entries (sorted part or delta) made invalid by removals since the last merge. */
  private stale = 0;

  constructor(readonly type: PayloadSchemaType) {}

  get pointsCount(): number {
    return this.count;
  }

  private number(v: JsonValue): number | undefined {
    if (this.type === 'datetime') {
      if (typeof v !== 'string') return undefined;
      const t = parseDateTime(v);
      return Number.isNaN(t) ? undefined : t;
    }
    if (typeof v !== 'number') return undefined;
    if (this.type === 'integer' && !Number.isInteger(v)) return undefined;
    return v;
  }

  set(slot: number, values: readonly JsonValue[]): void {
    this.remove(slot);
    const nums: number[] = [];
    let foreign = false;
    for (const v of flatten(values)) {
      const n = this.number(v);
      if (n === undefined) {
        if (v !== null) foreign = true;
      } else if (!nums.includes(n)) {
        nums.push(n);
      }
    }
    this.foreign.update(slot, foreign);
    if (nums.length === 0) return;
    this.bySlot[slot] = nums;
    this.count++;
    const gen = this.slotGen[slot]!;
    for (const n of nums) {
      this.deltaValues.push(n);
      this.deltaSlots.push(slot);
      this.deltaGens.push(gen);
    }
    if (this.deltaValues.length > Math.max(4096, this.values.length >> 3)) this.merge();
  }

  remove(slot: number): void {
    this.foreign.update(slot, false);
    if (slot >= this.slotGen.length) {
      const grown = new Uint32Array(Math.max(slot + 1, this.slotGen.length * 2));
      grown.set(this.slotGen);
      this.slotGen = grown;
    }
    const old = this.bySlot[slot];
    if (!old) return;
    this.stale += old.length;
    this.bySlot[slot] = undefined;
    this.slotGen[slot]! += 1;
    this.count--;
  }

  /** The indexed values of a slot. */
  valuesAt(slot: number): readonly number[] | undefined {
    return this.bySlot[slot];
  }

  facetValues(slot: number): readonly number[] | undefined {
    return this.type === 'integer' ? this.bySlot[slot] : undefined;
  }

  select(condition: FieldChecks): Selection | undefined {
    const sole = soleCheck(condition);
    if (!sole || !('range' in sole)) return undefined;
    if (sole.range.datetime !== (this.type === 'datetime')) return undefined;
    const slots: number[] = [];
    this.scan(sole.range, 'asc', (_value, slot) => {
      slots.push(slot);
      return true;
    });
    return this.foreign.widen(slots);
  }

  /** Upper bound of the points in a range (binary search; cheap). */
  estimate(range: Range): number {
    this.mergeIfLarge();
    const [lo, hi] = this.bounds(range);
    return hi - lo + this.deltaValues.length;
  }

  /**
   * Calls `each(value, slot)` for every valid entry in the range, ascending or descending, until
   * it returns false. A slot with several values in range comes once per value.
   */
  scan(range: Range | undefined, direction: 'asc' | 'desc', each: (value: number, slot: number) => boolean): void {
    this.merge();
    const [lo, hi] = range ? this.bounds(range) : [0, this.values.length];
    const { values, slots, gens, slotGen } = this;
    if (direction === 'asc') {
      for (let i = lo; i < hi; i++) if (gens[i] === slotGen[slots[i]!] && !each(values[i]!, slots[i]!)) return;
    } else {
      for (let i = hi - 1; i >= lo; i--) if (gens[i] === slotGen[slots[i]!] && !each(values[i]!, slots[i]!)) return;
    }
  }

  /** [first, end) entry positions of the range in the sorted part. */
  private bounds(r: Range): [number, number] {
    const lower = r.gte ?? r.gt;
    const upper = r.lte ?? r.lt;
    const lo = lower === undefined ? 0 : r.gt !== undefined && (r.gte === undefined || r.gt >= r.gte) ? this.upperBound(r.gt) : this.lowerBound(lower);
    const hi = upper === undefined ? this.values.length : r.lt !== undefined && (r.lte === undefined || r.lt <= r.lte) ? this.lowerBound(r.lt) : this.upperBound(upper);
    return [lo, Math.max(lo, hi)];
  }

  private lowerBound(x: number): number {
    let lo = 0;
    let hi = this.values.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.values[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private upperBound(x: number): number {
    let lo = 0;
    let hi = this.values.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.values[mid]! <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private mergeIfLarge(): void {
    if (this.deltaValues.length > 1024) this.merge();
  }

  /** Folds the delta into the sorted part and drops invalid entries. */
  private merge(): void {
    if (this.deltaValues.length === 0 && this.stale === 0) return;
    this.stale = 0;
    const n = this.values.length + this.deltaValues.length;
    const order: number[] = [];
    const allValues = new Float64Array(n);
    const allSlots = new Int32Array(n);
    let k = 0;
    for (let i = 0; i < this.values.length; i++) {
      if (this.gens[i] !== this.slotGen[this.slots[i]!]) continue;
      allValues[k] = this.values[i]!;
      allSlots[k] = this.slots[i]!;
      order.push(k++);
    }
    for (let i = 0; i < this.deltaValues.length; i++) {
      if (this.deltaGens[i] !== this.slotGen[this.deltaSlots[i]!]) continue;
      allValues[k] = this.deltaValues[i]!;
      allSlots[k] = this.deltaSlots[i]!;
      order.push(k++);
    }
    order.sort((a, b) => allValues[a]! - allValues[b]! || allSlots[a]! - allSlots[b]!);
    this.values = new Float64Array(order.length);
    this.slots = new Int32Array(order.length);
    this.gens = new Uint32Array(order.length);
    order.forEach((from, to) => {
      this.values[to] = allValues[from]!;
      this.slots[to] = allSlots[from]!;
      this.gens[to] = this.slotGen[allSlots[from]!]!;
    });
    this.deltaValues = [];
    this.deltaSlots = [];
    this.deltaGens = [];
  }
}
