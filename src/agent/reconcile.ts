import type { Logger } from '../core/log.js';
import type { DesiredInstance } from './report/hub-client.js';

/** What reconciliation needs from a runtime. */
export interface Runtime {
  ids(): string[];
  ensure(spec: DesiredInstance): void;
  stop(id: string): Promise<void>;
}

export interface ReconcileResult {
  started: string[];
  stopped: string[];
  skipped: string[];
}

/**
 * Makes the runtime run exactly the desired instances: starts the missing ones, stops those no
 * longer desired (their data directories stay), skips runtimes this agent cannot run.
 * Stops proceed in the background; the next sync sees them gone.
 */
export function reconcile(runtime: Runtime, desired: readonly DesiredInstance[], supported: readonly string[], logger: Logger): ReconcileResult {
  const result: ReconcileResult = { started: [], stopped: [], skipped: [] };
  const running = new Set(runtime.ids());
  const wanted = new Set<string>();
  for (const spec of desired) {
    if (!supported.includes(spec.runtime)) {
      result.skipped.push(spec.id);
      logger.warn({ instance: spec.id, runtime: spec.runtime }, 'runtime not supported by this agent; instance skipped');
      continue;
    }
    wanted.add(spec.id);
    if (!running.has(spec.id)) {
      runtime.ensure(spec);
      result.started.push(spec.id);
    }
  }
  for (const id of running) {
    if (wanted.has(id)) continue;
    void runtime.stop(id);
    result.stopped.push(id);
  }
  return result;
}
