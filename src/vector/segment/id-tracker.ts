import { comparePointIds, pointIdKey, type PointId } from './point-id.js';

/**
 * Maps external point ids to internal slots (dense integers indexing the vector and payload
 * arrays, and the labels of the vector index). A new point always takes the lowest free slot, so
 * slot assignment depends only on which slots are in use — replaying the same operations from the
 * same checkpoint gives every point the same slot, which is what lets a saved vector index be
 * reused after a restart. Keeps an id-ordered list of live slots for scrolling, rebuilt lazily.
 */
export class IdTracker {
  private readonly slots = new Map<string, number>();
  private ids: Array<PointId | undefined> = [];
  /** Free slots below `ids.length`, as a binary min-heap. */
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

  isLive(slot: number): boolean {
    return this.ids[slot] !== undefined;
  }

  /** Returns the slot of `id`, allocating the lowest free one when it is new. */
  assign(id: PointId): { slot: number; created: boolean } {
    const key = pointIdKey(id);
    const existing = this.slots.get(key);
    if (existing !== undefined) return { slot: existing, created: false };
    const slot = this.free.length > 0 ? this.popFree() : this.ids.length;
    this.ids[slot] = id;
    this.slots.set(key, slot);
    this.ordered = undefined;
    return { slot, created: true };
  }

  /**
   * Loading: puts `id` at a given slot. Call `loaded()` after the last one to rebuild the free
   * slots.
   */
  place(id: PointId, slot: number): void {
    this.ids[slot] = id;
    this.slots.set(pointIdKey(id), slot);
    this.ordered = undefined;
  }

  loaded(): void {
    this.free = [];
    for (let slot = 0; slot < this.ids.length; slot++) if (this.ids[slot] === undefined) this.free.push(slot); // ascending: already a heap
  }

  release(id: PointId): number | undefined {
    const key = pointIdKey(id);
    const slot = this.slots.get(key);
    if (slot === undefined) return undefined;
    this.slots.delete(key);
    this.ids[slot] = undefined;
    this.pushFree(slot);
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

  private pushFree(slot: number): void {
    const h = this.free;
    h.push(slot);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]! <= h[i]!) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
  }

  private popFree(): number {
    const h = this.free;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && h[l]! < h[m]!) m = l;
        if (r < h.length && h[r]! < h[m]!) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i]!, h[m]!];
        i = m;
      }
    }
    return top;
  }
}
