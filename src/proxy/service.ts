import type { Logger } from 'pino';
import type { Backend } from './backend.js';
import type { BackendPool } from './backend-pool.js';
import type { Balancer, WeightedBackend } from './balancer/balancer.js';
import { PowerOfTwoChoices } from './balancer/power-of-two.js';
import { WeightedRoundRobin } from './balancer/weighted-round-robin.js';
import { CircuitBreaker } from './circuit-breaker.js';
import type { ServiceSpec } from './dynamic-config.js';
import { RetryBudget } from './retry-budget.js';

/**
 * A service as the data path uses it: its backends with weights, the balancer over them, its retry
 * budget and circuit breaker. Rebuilt only when its configuration changes, so balancer position,
 * budgets and breaker state survive unrelated snapshots.
 */
export class ServiceRuntime {
  readonly entries: readonly WeightedBackend[];
  readonly balancer: Balancer;
  readonly retryBudget: RetryBudget;
  readonly breaker: CircuitBreaker | undefined;

  constructor(
    readonly name: string,
    readonly spec: ServiceSpec,
    /** The spec as text, to tell whether a new snapshot changed it. */
    readonly specText: string,
    pool: BackendPool,
    logger: Logger,
  ) {
    this.entries = spec.servers.map((server) => ({ backend: pool.acquire(server, spec.drainTimeout), weight: server.weight }));
    this.balancer = spec.strategy === 'p2c' ? new PowerOfTwoChoices(this.entries) : new WeightedRoundRobin(this.entries);
    this.retryBudget = new RetryBudget(spec.retry);
    this.breaker = spec.circuitBreaker ? new CircuitBreaker(spec.circuitBreaker, name, logger) : undefined;
  }

  get backends(): Backend[] {
    return this.entries.map((e) => e.backend);
  }
}
