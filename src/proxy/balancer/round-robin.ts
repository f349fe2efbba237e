import type { Backend } from '../backend.js';

/** Weighted-free round robin over the backends that are currently up. */
export class RoundRobin {
  private next = 0;

  constructor(readonly backends: readonly Backend[]) {}

  pick(): Backend | undefined {
    const n = this.backends.length;
    for (let i = 0; i < n; i++) {
      const b = this.backends[(this.next + i) % n] as Backend;
      if (b.available) {
        this.next = (this.next + i + 1) % n;
        return b;
      }
    }
    return undefined;
  }
}
