import type { HubDatabase } from './db.js';

/**
 * Deployment slots: which stack version (and so which runtime spec) each instance should run now.
 * A rolling update moves slots from the old version to the new one a few at a time. A slot being
 * drained has left the routers' feed and is about to be restarted (or, when retiring, removed).
 */
export interface Slot {
  instanceId: string;
  stack: string;
  service: string;
  version: number;
  specHash: string;
  drainingSince: number | null;
  retiring: boolean;
}

interface Row extends Omit<Slot, 'retiring'> {
  retiring: number;
}

const COLUMNS = 'instance_id AS instanceId, stack, service, version, spec_hash AS specHash, draining_since AS drainingSince, retiring';
const fromRow = (r: Row): Slot => ({ ...r, retiring: r.retiring === 1 });

export class SlotStore {
  constructor(private readonly db: HubDatabase) {}

  all(): Slot[] {
    return (this.db.prepare(`SELECT ${COLUMNS} FROM slots ORDER BY instance_id`).all() as Row[]).map(fromRow);
  }

  ofStack(stack: string): Slot[] {
    return (this.db.prepare(`SELECT ${COLUMNS} FROM slots WHERE stack = ? ORDER BY instance_id`).all(stack) as Row[]).map(fromRow);
  }

  get(instanceId: string): Slot | undefined {
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM slots WHERE instance_id = ?`).get(instanceId) as Row | undefined;
    return row && fromRow(row);
  }

  put(s: Slot): void {
    this.db
      .prepare(
        `INSERT INTO slots (instance_id, stack, service, version, spec_hash, draining_since, retiring) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(instance_id) DO UPDATE SET stack = excluded.stack, service = excluded.service, version = excluded.version,
           spec_hash = excluded.spec_hash, draining_since = excluded.draining_since, retiring = excluded.retiring`,
      )
      .run(s.instanceId, s.stack, s.service, s.version, s.specHash, s.drainingSince, s.retiring ? 1 : 0);
  }

  delete(instanceId: string): void {
    this.db.prepare('DELETE FROM slots WHERE instance_id = ?').run(instanceId);
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
}
