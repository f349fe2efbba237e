import type { Backend } from '../backend.js';
import { eligible, type Balancer, type WeightedBackend } from './balancer.js';

/**
 * Power of two choices on outstanding requests: pick two eligible backends at random and send to
 * the one with fewer requests in flight per unit of weight. Close to least-loaded without a global
 * scan, and it steers away from a slow backend as its queue grows.
 */
export class PowerOfTwoChoices implements Balancer {
  constructor(
    private readonly entries: readonly WeightedBackend[],
    private readonly random: () => number = Math.random,
  ) {}

  pick(tried?: ReadonlySet<Backend>): Backend | undefined {
    let count = 0;
    for (const e of this.entries) if (eligible(e, tried)) count++;
    if (count === 0) return undefined;
    const first = Math.floor(this.random() * count);
    if (count === 1) return this.nth(0, tried).backend;
    let second = Math.floor(this.random() * (count - 1));
    if (second >= first) second++;
    const a = this.nth(first, tried);
    const b = this.nth(second, tried);
    return load(a) <= load(b) ? a.backend : b.backend;
  }

  private nth(n: number, tried: ReadonlySet<Backend> | undefined): WeightedBackend {
    for (const e of this.entries) if (eligible(e, tried) && n-- === 0) return e;
    throw new Error('unreachable: fewer eligible backends than counted');
  }
}

function load(e: WeightedBackend): number {
  return e.backend.inFlight / e.weight;
}
