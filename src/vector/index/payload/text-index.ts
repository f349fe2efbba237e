import type { FieldChecks } from '../../segment/filter.js';
import { textTokens } from '../../segment/filter-text.js';
import type { JsonValue } from '../../segment/json-path.js';
import { flatten, soleCheck, type FieldIndex, type Selection } from './field-index.js';

/**
 * A full-text index: word token → slots (the same word tokenizer filters use). `text` and `phrase`
 * matches select the points holding every query token, `text_any` those holding one; the filter
 * then checks the candidates (so the selection is never marked exact).
 */
export class TextIndex implements FieldIndex {
  readonly type = 'text';
  private readonly postings = new Map<string, Set<number>>();
  private readonly bySlot: Array<string[] | undefined> = [];
  private count = 0;

  get pointsCount(): number {
    return this.count;
  }

  set(slot: number, values: readonly JsonValue[]): void {
    this.remove(slot);
    const tokens = new Set<string>();
    for (const v of flatten(values)) if (typeof v === 'string') for (const t of textTokens(v)) tokens.add(t);
    if (tokens.size === 0) return;
    for (const t of tokens) {
      let set = this.postings.get(t);
      if (!set) this.postings.set(t, (set = new Set()));
      set.add(slot);
    }
    this.bySlot[slot] = [...tokens];
    this.count++;
  }

  remove(slot: number): void {
    const tokens = this.bySlot[slot];
    if (!tokens) return;
    for (const t of tokens) {
      const set = this.postings.get(t)!;
      set.delete(slot);
      if (set.size === 0) this.postings.delete(t);
    }
    this.bySlot[slot] = undefined;
    this.count--;
  }

  select(condition: FieldChecks): Selection | undefined {
    const sole = soleCheck(condition);
    if (!sole || !('match' in sole)) return undefined;
    const m = sole.match;
    if (m.type !== 'text' && m.type !== 'phrase' && m.type !== 'text_any') return undefined;
    const tokens = [...new Set(textTokens(m.text))];
    if (tokens.length === 0) return { slots: [], exact: true };
    const sets = tokens.map((t) => this.postings.get(t) ?? new Set<number>());
    if (m.type === 'text_any') {
      const slots: number[] = [];
      for (const set of sets) for (const s of set) slots.push(s);
      return { slots, exact: false };
    }
    sets.sort((a, b) => a.size - b.size);
    const [first, ...rest] = sets;
    const slots: number[] = [];
    for (const s of first!) if (rest.every((set) => set.has(s))) slots.push(s);
    return { slots, exact: false };
  }
}

/** A geo index: counts the points holding geo points; geo conditions are checked per point. */
export class GeoIndex implements FieldIndex {
  readonly type = 'geo';
  private readonly present = new Set<number>();

  get pointsCount(): number {
    return this.present.size;
  }

  set(slot: number, values: readonly JsonValue[]): void {
    const has = flatten(values).some((v) => typeof v === 'object' && v !== null && !Array.isArray(v) && typeof v.lat === 'number' && typeof v.lon === 'number');
    if (has) this.present.add(slot);
    else this.present.delete(slot);
  }

  remove(slot: number): void {
    this.present.delete(slot);
  }

  select(): Selection | undefined {
    return undefined;
  }
}
