import type { Operation } from '../collection/operations.js';
import type { Engine } from '../engine/engine.js';

/** Operations that consume memory or disk; the quota refuses these (never deletes) when a limit is reached. */
const CONSUMING = new Set<Operation['type']>(['upsert', 'update_vectors', 'set_payload', 'overwrite_payload', 'create_payload_index', 'create_vector']);

export function guardUpdate(engine: Engine, ops: Operation | Operation[]): void {
  if ((Array.isArray(ops) ? ops : [ops]).some((op) => CONSUMING.has(op.type))) engine.quotas.checkUpdate();
}
