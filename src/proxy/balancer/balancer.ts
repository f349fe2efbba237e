import type { Backend } from '../backend.js';

/** A backend with its weight in one service (the same backend may weigh differently elsewhere). */
export interface WeightedBackend {
  readonly backend: Backend;
  readonly weight: number;
}

/** Picks a backend for one attempt among those available and not already tried. */
export interface Balancer {
  pick(tried?: ReadonlySet<Backend>): Backend | undefined;
}

export function eligible(entry: WeightedBackend, tried: ReadonlySet<Backend> | undefined): boolean {
  return entry.weight > 0 && entry.backend.available && !(tried !== undefined && tried.has(entry.backend));
}
