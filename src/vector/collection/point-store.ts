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
 * A checkpoint as written: the collection state, the changed points packed into flat arrays (so a
 * worker thread can take them without copying), and the deleted ids.
 */
export interface CheckpointBatch {
  op: number;
  state: string;
  ids: string[];
  slots: Int32Array;
  versions: Float64Array;
  /** Encoded vectors of all rows back to back; row i is `vectors[offsets[i]..offsets[i+1])`. */
  vectors: Uint8Array;
  offsets: Uint32Array;
  payloads: string[];
  deletes: string[];
}

/**
 * Opens a checkpoint database with its schema. The checkpoint worker opens only an existing one
 * (`mustExist`): a collection deleted meanwhile must not come back as a new file.
 */
export function openPointsDb(file: string, mustExist = false): Database.Database {
  if (!mustExist) mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, { fileMustExist: mustExist });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 30000');
  db.exec(`
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS points (
      id TEXT PRIMARY KEY,
      slot INTEGER NOT NULL,
      version INTEGER NOT NULL,
      vectors BLOB NOT NULL,
      payload TEXT NOT NULL
    ) WITHOUT ROWID;
  `);
  return db;
}

/**
 * Writes a checkpoint in one durable transaction — unless the store already holds a later one
 * (a checkpoint written at close may overtake one still in the worker). Returns whether it wrote.
 */
export function writeCheckpointBatch(db: Database.Database, b: CheckpointBatch): boolean {
  const getMeta = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
  const setMeta = db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
  const upsert = db.prepare('INSERT OR REPLACE INTO points (id, slot, version, vectors, payload) VALUES (?, ?, ?, ?, ?)');
  const remove = db.prepare('DELETE FROM points WHERE id = ?');
  return db.transaction(() => {
    const current = Number(getMeta.get('checkpoint')?.value ?? -1);
    if (current >= b.op) return false;
    const bytes = Buffer.from(b.vectors.buffer, b.vectors.byteOffset, b.vectors.byteLength);
    for (let i = 0; i < b.ids.length; i++) upsert.run(b.ids[i], b.slots[i], b.versions[i], bytes.subarray(b.offsets[i], b.offsets[i + 1]), b.payloads[i]);
    for (const id of b.deletes) remove.run(id);
    setMeta.run('state', b.state);
    setMeta.run('checkpoint', String(b.op));
    return true;
  }).immediate();
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

  private constructor(
    readonly file: string,
    mustExist = false,
  ) {
    this.db = openPointsDb(file, mustExist);
    this.stmts = {
      getMeta: this.db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
      setMeta: this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)'),
      points: this.db.prepare<[], PointRow>('SELECT id, slot, version, vectors, payload FROM points'),
      count: this.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM points'),
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

  /** Opens a store; with `mustExist`, a missing file is an error instead of a new empty store. */
  static open(file: string, mustExist = false): PointStore {
    return new PointStore(file, mustExist);
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

  /** Writes a checkpoint here, on the calling thread (see `writeCheckpointBatch`). */
  checkpoint(batch: CheckpointBatch): boolean {
    return writeCheckpointBatch(this.db, batch);
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
