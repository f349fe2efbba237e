import { comparePointIds, pointIdKey, type PointId } from './point-id.js';

/**
 * Maps external point ids to internal slots (dense integers indexing the vector and payload
 * arrays). Freed slots are reused. Keeps an id-ordered list of live slots for scrolling, rebuilt
 * lazily after changes.
 */
export class IdTracker {
  private readonly slots = new Map<string, number>();
  private ids: Array<PointId | undefined> = [];
  private free: number[] = [];
  private ordered: number[] | undefined;

  get size(): number {
    return this.slots.size;
  }

  /** Slots ever allocated (live or free): an upper bound for slot numbers. */
  get capacity(): number {
    return this.ids.length;
  }

  slotOf(id: PointId): number | undefined {
    return this.slots.get(pointIdKey(id));
  }

  slotOfKey(key: string): number | undefined {
    return this.slots.get(key);
  }

  idOf(slot: number): PointId | undefined {
    return this.ids[slot];
  }

  /** Returns the slot of `id`, allocating one when it is new. */
  assign(id: PointId): { slot: number; created: boolean } {
    const key = pointIdKey(id);
    const existing = this.slots.get(key);
    if (existing !== undefined) return { slot: existing, created: false };
    const slot = this.free.pop() ?? this.ids.length;
    this.ids[slot] = id;
    this.slots.set(key, slot);
    this.ordered = undefined;
    return { slot, created: true };
  }

  release(id: PointId): number | undefined {
    const key = pointIdKey(id);
    const slot = this.slots.get(key);
    if (slot === undefined) return undefined;
    this.slots.delete(key);
    this.ids[slot] = undefined;
    this.free.push(slot);
    this.ordered = undefined;
    return slot;
  }

  /** Live slots, in no particular order (cheap: no sorting). */
  liveSlots(): IterableIterator<number> {
    return this.slots.values();
  }

  /** Live slots in id order (integers ascending, then UUIDs). */
  orderedSlots(): readonly number[] {
    if (!this.ordered) {
      const live = [...this.slots.values()];
      live.sort((a, b) => comparePointIds(this.ids[a]!, this.ids[b]!));
      this.ordered = live;
    }
    return this.ordered;
  }

  /** Index in `orderedSlots()` of the first id ≥ `id` (binary search). */
  lowerBound(id: PointId): number {
    const order = this.orderedSlots();
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (comparePointIds(this.ids[order[mid]!]!, id) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
