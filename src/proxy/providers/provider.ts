import type { RawSnapshot } from '../dynamic-config.js';

/**
 * A source of dynamic configuration. It hands full snapshots to `emit` (never change lists), as
 * often as it likes — the aggregator drops unchanged ones — and reports when it cannot produce one
 * (the last snapshot then stays in force). It stops when `signal` aborts.
 */
export interface Provider {
  /** Added to every item name: `name@provider`. */
  readonly name: string;
  start(sink: ProviderSink, signal: AbortSignal): Promise<void> | void;
}

export interface ProviderSink {
  emit(snapshot: RawSnapshot): void;
  fail(message: string): void;
}
