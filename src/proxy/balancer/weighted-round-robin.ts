import type { Backend } from '../backend.js';
import { eligible, type Balancer, type WeightedBackend } from './balancer.js';

/**
 * Smooth weighted round robin (nginx's): weights 5/1/1 give a a b a c a a rather than a a a a a b c,
 * and equal weights give plain round robin. Backends that are down, ejected or already tried for
 * this request are skipped; the others keep their share.
 */
export class WeightedRoundRobin implements Balancer {
  private readonly current: number[];

  constructor(private readonly entries: readonly WeightedBackend[]) {
    this.current = entries.map(() => 0);
  }

  pick(tried?: ReadonlySet<Backend>): Backend | undefined {
    let best = -1;
    let total = 0;
    for (let i = 0; i < this.entries.length; i++) {
      const e = this.entries[i] as WeightedBackend;
      if (!eligible(e, tried)) continue;
      const c = (this.current[i] as number) + e.weight;
      this.current[i] = c;
      total += e.weight;
      if (best < 0 || c > (this.current[best] as number)) best = i;
    }
    if (best < 0) return undefined;
    this.current[best] = (this.current[best] as number) - total;
    return (this.entries[best] as WeightedBackend).backend;
  }
}
