import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { CollectionConfig } from './config.js';
import type { PayloadFieldSchema } from './operations.js';

/** Everything about a collection besides its points, as of a checkpoint. */
export interface CollectionState {
  name: string;
  config: CollectionConfig;
  payloadIndexes: Array<{ field: string; schema: PayloadFieldSchema }>;
}

/** A point row as checkpointed: id key, slot, version, encoded vectors, payload JSON. */
export interface PointRow {
  id: string;
  /** The point's slot (also its label in the vector index), kept so a saved index stays valid. */
  slot: number;
  version: number;
  vectors: Buffer;
  payload: string;
}

/**
 * A collection's checkpoint store: one SQLite database (`points.db`) holding the collection state
 * and its points as of operation `checkpoint`. The operation log holds everything after it. A
 * checkpoint writes the points changed since the previous one, the state and the new operation
 * number in one transaction, so the store always holds exactly the state after some operation.
 */
export class PointStore {
  private readonly db: Database.Database;
  private readonly stmts;
  private closed = false;

  private constructor(readonly file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS points (
        id TEXT PRIMARY KEY,
        slot INTEGER NOT NULL,
        version INTEGER NOT NULL,
        vectors BLOB NOT NULL,
        payload TEXT NOT NULL
      ) WITHOUT ROWID;
    `);
    this.stmts = {
      getMeta: this.db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
      setMeta: this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)'),
      points: this.db.prepare<[], PointRow>('SELECT id, slot, version, vectors, payload FROM points'),
      count: this.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM points'),
      upsert: this.db.prepare('INSERT OR REPLACE INTO points (id, slot, version, vectors, payload) VALUES (?, ?, ?, ?, ?)'),
      delete: this.db.prepare('DELETE FROM points WHERE id = ?'),
    };
  }

  /** A new store holding `state` and no points, checkpoint -1 (before any operation). */
  static create(file: string, state: CollectionState): PointStore {
    const store = new PointStore(file);
    store.db.transaction(() => {
      store.stmts.setMeta.run('state', JSON.stringify(state));
      store.stmts.setMeta.run('checkpoint', '-1');
    })();
    return store;
  }

  static open(file: string): PointStore {
    return new PointStore(file);
  }

  /** The state and checkpoint operation, or undefined for a store that was never completed. */
  read(): { state: CollectionState; checkpoint: number } | undefined {
    const state = this.stmts.getMeta.get('state');
    const checkpoint = this.stmts.getMeta.get('checkpoint');
    if (!state || !checkpoint) return undefined;
    return { state: JSON.parse(state.value) as CollectionState, checkpoint: Number(checkpoint.value) };
  }

  pointRows(): IterableIterator<PointRow> {
    return this.stmts.points.iterate();
  }

  pointCount(): number {
    return this.stmts.count.get()!.n;
  }

  /** Writes the changed points, the state and the operation number in one durable transaction. */
  checkpoint(op: number, state: CollectionState, upserts: PointRow[], deletes: string[]): void {
    this.db.transaction(() => {
      for (const r of upserts) this.stmts.upsert.run(r.id, r.slot, r.version, r.vectors, r.payload);
      for (const id of deletes) this.stmts.delete.run(id);
      this.stmts.setMeta.run('state', JSON.stringify(state));
      this.stmts.setMeta.run('checkpoint', String(op));
    })();
  }

  /** Renames the collection recorded in the store (restoring a snapshot under another name). */
  rename(name: string): void {
    const stored = this.read();
    if (!stored) throw new Error(`no collection in ${this.file}`);
    this.stmts.setMeta.run('state', JSON.stringify({ ...stored.state, name }));
  }

  /** A consistent copy of the database (for snapshots), safe while writes continue. */
  async backupTo(file: string): Promise<void> {
    await this.db.backup(file);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}
