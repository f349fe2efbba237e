import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { CollectionConfig } from './config.js';
import { pointIdFromKey, pointIdKey, type PointId } from '../segment/point-id.js';
import type { StoredPoint } from '../segment/segment.js';
import type { JsonObject } from '../segment/json-path.js';

/** The changes one operation makes, written in one transaction. */
export interface ChangeSet {
  /** Whole points written (upsert). */
  points?: StoredPoint[];
  /** Payload replacements of existing points. */
  payloads?: Array<{ id: PointId; payload: JsonObject; version: number }>;
  deletes?: PointId[];
}

export interface StoredCollection {
  name: string;
  config: CollectionConfig;
  lastOperation: number;
}

/**
 * Durable state of the vector engine: one SQLite database (WAL journal, synchronous=FULL) holding
 * every collection's config and points. Each operation commits in one transaction; once `commit`
 * returns, the change survives a crash or `kill -9`. The database is only read at start, to load
 * collections into memory; searches never touch it.
 */
export class VectorStore {
  private readonly db: Database.Database;
  private readonly stmts;
  private closed = false;

  private constructor(file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS collections (
        name TEXT PRIMARY KEY,
        config TEXT NOT NULL,
        last_operation INTEGER NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS points (
        collection TEXT NOT NULL REFERENCES collections(name) ON DELETE CASCADE,
        id TEXT NOT NULL,
        version INTEGER NOT NULL,
        vectors BLOB NOT NULL,
        payload TEXT NOT NULL,
        PRIMARY KEY (collection, id)
      ) WITHOUT ROWID;
    `);
    this.stmts = {
      listCollections: this.db.prepare<[], { name: string; config: string; last_operation: number }>('SELECT name, config, last_operation FROM collections ORDER BY name'),
      insertCollection: this.db.prepare('INSERT INTO collections (name, config, last_operation, created_at) VALUES (?, ?, ?, ?)'),
      deleteCollection: this.db.prepare('DELETE FROM collections WHERE name = ?'),
      setLastOperation: this.db.prepare('UPDATE collections SET last_operation = ? WHERE name = ?'),
      points: this.db.prepare<[string], { id: string; version: number; vectors: Buffer; payload: string }>('SELECT id, version, vectors, payload FROM points WHERE collection = ?'),
      upsertPoint: this.db.prepare('INSERT OR REPLACE INTO points (collection, id, version, vectors, payload) VALUES (?, ?, ?, ?, ?)'),
      updatePayload: this.db.prepare('UPDATE points SET payload = ?, version = ? WHERE collection = ? AND id = ?'),
      deletePoint: this.db.prepare('DELETE FROM points WHERE collection = ? AND id = ?'),
    };
  }

  static open(file: string): VectorStore {
    return new VectorStore(file);
  }

  collections(): StoredCollection[] {
    return this.stmts.listCollections.all().map((r) => ({ name: r.name, config: JSON.parse(r.config) as CollectionConfig, lastOperation: r.last_operation }));
  }

  /** Calls `each` for every stored point of a collection. */
  loadPoints(collection: string, each: (point: StoredPoint) => void): void {
    for (const row of this.stmts.points.iterate(collection)) {
      each({ id: pointIdFromKey(row.id), version: row.version, vectors: decodeVectors(row.vectors), payload: JSON.parse(row.payload) as JsonObject });
    }
  }

  createCollection(name: string, config: CollectionConfig): void {
    this.stmts.insertCollection.run(name, JSON.stringify(config), -1, Date.now());
  }

  deleteCollection(name: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM points WHERE collection = ?').run(name);
      this.stmts.deleteCollection.run(name);
    })();
  }

  /** Writes one operation's changes and its number atomically and durably. */
  commit(collection: string, operationId: number, changes: ChangeSet): void {
    this.db.transaction(() => {
      for (const p of changes.points ?? []) {
        this.stmts.upsertPoint.run(collection, pointIdKey(p.id), p.version, encodeVectors(p.vectors), JSON.stringify(p.payload));
      }
      for (const p of changes.payloads ?? []) {
        this.stmts.updatePayload.run(JSON.stringify(p.payload), p.version, collection, pointIdKey(p.id));
      }
      for (const id of changes.deletes ?? []) this.stmts.deletePoint.run(collection, pointIdKey(id));
      this.stmts.setLastOperation.run(operationId, collection);
    })();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}

/** Vectors of a point as bytes: per vector, [u16 name length][name utf-8][u32 dim][f32 × dim], little-endian. */
export function encodeVectors(vectors: ReadonlyMap<string, Float32Array>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, v] of vectors) {
    const nameBytes = Buffer.from(name, 'utf8');
    const head = Buffer.alloc(6 + nameBytes.length);
    head.writeUInt16LE(nameBytes.length, 0);
    nameBytes.copy(head, 2);
    head.writeUInt32LE(v.length, 2 + nameBytes.length);
    const body = Buffer.alloc(v.length * 4);
    for (let i = 0; i < v.length; i++) body.writeFloatLE(v[i]!, i * 4);
    parts.push(head, body);
  }
  return Buffer.concat(parts);
}

export function decodeVectors(bytes: Buffer): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  let at = 0;
  while (at < bytes.length) {
    const nameLength = bytes.readUInt16LE(at);
    const name = bytes.toString('utf8', at + 2, at + 2 + nameLength);
    at += 2 + nameLength;
    const dim = bytes.readUInt32LE(at);
    at += 4;
    const v = new Float32Array(dim);
    for (let i = 0; i < dim; i++) v[i] = bytes.readFloatLE(at + i * 4);
    at += dim * 4;
    out.set(name, v);
  }
  return out;
}
