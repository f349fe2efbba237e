import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Engine } from '../engine/engine.js';
import type { Snapshots } from '../snapshots/snapshots.js';
import { applyAliases } from './alias-plan.js';
import { DivergedError } from './errors.js';
import type { LogRecord } from './mutation.js';
import type { Incarnation, ReplicaStateFile } from './state.js';

const DONE = Promise.resolve();

/**
 * `applyRecord(engine, record)` for a replica: applies one record of the replication log so that
 * replaying a suffix in order is harmless (see `mutation.ts`). A collection write is applied at once
 * (in memory, its collection log append queued) and returns a promise for its durability; the other
 * entries change collections or aliases and are awaited one at a time. A record the local state
 * cannot take (a collection not exactly one operation behind) raises `DivergedError`: the replica
 * then resyncs from a snapshot.
 */
export class Applier {
  constructor(
    private readonly engine: Engine,
    private readonly state: ReplicaStateFile,
    private readonly snapshots: Snapshots,
    private readonly workDir: string,
    private readonly logger: Logger,
  ) {}

  /** Applies a collection write now; resolves once it is durable in the collection's log. */
  applyWrite(record: LogRecord): Promise<void> {
    const e = record.entry;
    if (e.kind !== 'op') throw new Error('applyWrite takes collection writes only');
    if (!this.engine.has(e.collection) || (this.state.incarnation(e.collection)?.inc ?? 0) !== e.inc) return DONE; // that incarnation is gone
    const c = this.engine.get(e.collection);
    const last = c.lastOperation;
    if (last >= e.cop) return DONE;
    if (last !== e.cop - 1) throw new DivergedError(`collection ${e.collection} is at operation ${last} but record ${record.seq} carries operation ${e.cop}`);
    const done = c.update(e.op, { wait: false });
    if (c.lastOperation !== e.cop) {
      done.catch(() => undefined);
      throw new DivergedError(`record ${record.seq} (operation ${e.cop} of ${e.collection}) was refused here though the leader applied it`);
    }
    return done.then(() => undefined);
  }

  /** Applies a change of collections or aliases; resolves when it is done and durable. */
  async applyMeta(record: LogRecord): Promise<void> {
    const e = record.entry;
    switch (e.kind) {
      case 'create': {
        const known = this.state.incarnation(e.name);
        if (this.engine.has(e.name)) {
          if ((known?.inc ?? 0) >= record.seq) return; // applied already, or a later incarnation exists
          this.engine.delete(e.name);
        }
        try {
          const c = this.engine.create(e.name, e.config);
          this.setIncarnation(e.name, { inc: record.seq, base: c.lastOperation });
        } catch (err) {
          this.logger.warn({ err, seq: record.seq, collection: e.name }, 'replayed collection creation skipped');
        }
        return;
      }
      case 'delete': {
        const known = this.state.incarnation(e.name);
        if (this.engine.has(e.name) && (known?.inc ?? 0) < record.seq) {
          this.engine.delete(e.name);
          this.setIncarnation(e.name, undefined);
        } else {
          this.engine.aliases.removeCollection(e.name);
        }
        return;
      }
      case 'aliases':
        applyAliases(this.engine, e.actions);
        return;
      case 'restore': {
        if (this.engine.has(e.name) && (this.state.incarnation(e.name)?.inc ?? 0) >= record.seq) return;
        const work = mkdtempSync(join(this.workDir, '.restore-'));
        try {
          const file = join(work, 'archive.snapshot');
          writeFileSync(file, e.archive);
          await this.snapshots.recover(e.name, file);
          this.setIncarnation(e.name, { inc: record.seq, base: this.engine.get(e.name).lastOperation });
        } catch (err) {
          this.logger.warn({ err, seq: record.seq, collection: e.name }, 'replayed snapshot recovery skipped');
        } finally {
          rmSync(work, { recursive: true, force: true });
        }
        return;
      }
      case 'op':
        return this.applyWrite(record);
    }
  }

  setIncarnation(name: string, value: Incarnation | undefined): void {
    this.state.update((d) => {
      if (value === undefined) delete d.incarnations[name];
      else Object.defineProperty(d.incarnations, name, { value, enumerable: true, writable: true, configurable: true });
    });
  }
}
