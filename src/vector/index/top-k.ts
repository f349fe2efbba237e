/**
 * Keeps the k best (slot, score) pairs seen, as a binary min-heap on a caller-given ordering
 * (`better(a, b)` true when a ranks before b). O(n log k) for n offers.
 */
export interface Candidate {
  slot: number;
  score: number;
}

export class TopK {
  private readonly heap: Candidate[] = [];

  constructor(
    private readonly k: number,
    private readonly better: (a: Candidate, b: Candidate) => boolean,
  ) {}

  /** Whether a candidate would be kept (so costly checks, like filters, can be skipped otherwise). */
  wouldKeep(slot: number, score: number): boolean {
    if (this.k <= 0) return false;
    return this.heap.length < this.k || this.better({ slot, score }, this.heap[0]!);
  }

  offer(slot: number, score: number): void {
    if (this.k <= 0) return;
    const c = { slot, score };
    if (this.heap.length < this.k) {
      this.heap.push(c);
      this.up(this.heap.length - 1);
    } else if (this.better(c, this.heap[0]!)) {
      this.heap[0] = c;
      this.down(0);
    }
  }

  /** Best first. */
  sorted(): Candidate[] {
    return [...this.heap].sort((a, b) => (this.better(a, b) ? -1 : this.better(b, a) ? 1 : 0));
  }

  // The root holds the worst kept candidate.
  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.better(h[parent]!, h[i]!)) break;
      [h[parent], h[i]] = [h[i]!, h[parent]!];
      i = parent;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let worst = i;
      if (l < h.length && this.better(h[worst]!, h[l]!)) worst = l;
      if (r < h.length && this.better(h[worst]!, h[r]!)) worst = r;
      if (worst === i) break;
      [h[worst], h[i]] = [h[i]!, h[worst]!];
      i = worst;
    }
  }
}
