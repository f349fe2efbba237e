import type { Logger } from '../core/log.js';
import type { DesiredInstance, SyncAnswer } from './report/hub-client.js';

/** What reconciliation needs from the instance manager. */
export interface Runtime {
  /** Instances held now (running, starting or restarting), with the spec they run. */
  held(): Array<{ id: string; specHash: string; origin: 'hub' | 'found' }>;
  start(spec: DesiredInstance): void;
  /** Stops the instance and starts it again with `spec` (its spec changed). */
  replace(spec: DesiredInstance): void;
  /** The hub wants this instance: it is no longer merely found. */
  claim(spec: DesiredInstance): void;
  stop(id: string): Promise<void>;
}

export interface ReconcileResult {
  started: string[];
  replaced: string[];
  stopped: string[];
  skipped: string[];
}

/**
 * Makes the agent hold exactly what the hub asks for: starts the missing instances, replaces those
 * whose spec changed (a rolling update moved their slot), stops those no longer desired (their data
 * directories stay) unless the hub says to keep them (unmanaged instances found on this host, left
 * running until someone adopts or removes them), and skips runtimes this agent cannot run.
 * Stops proceed in the background; the next sync sees them gone.
 */
export function reconcile(runtime: Runtime, answer: SyncAnswer, supported: readonly string[], logger: Logger): ReconcileResult {
  const result: ReconcileResult = { started: [], replaced: [], stopped: [], skipped: [] };
  const held = new Map(runtime.held().map((h) => [h.id, h]));
  const wanted = new Set<string>();
  for (const spec of answer.instances) {
    if (!supported.includes(spec.runtime)) {
      result.skipped.push(spec.id);
      logger.warn({ instance: spec.id, runtime: spec.runtime }, 'runtime not supported by this agent; instance skipped');
      continue;
    }
    wanted.add(spec.id);
    const h = held.get(spec.id);
    if (!h) {
      runtime.start(spec);
      result.started.push(spec.id);
    } else if (spec.specHash !== '' && h.specHash !== spec.specHash) {
      runtime.replace(spec);
      result.replaced.push(spec.id);
    } else if (h.origin !== 'hub') {
      runtime.claim(spec);
    }
  }
  const keep = new Set(answer.keep);
  for (const [id, h] of held) {
    if (wanted.has(id) || (keep.has(id) && h.origin === 'found')) continue;
    void runtime.stop(id);
    result.stopped.push(id);
  }
  return result;
}
