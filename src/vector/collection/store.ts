import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { Catalog } from './catalog.js';
import type { Collection } from './collection.js';
import type { CollectionConfig } from './config.js';

/** A collection found on disk at start. */
export interface StoredCollection {
  name: string;
  collection: Collection;
}

/**
 * The engine's view of the collections on disk (kept with the shape the engine was written
 * against): opens them all at start, creates, deletes, restores, closes. Each collection has its
 * own directory, operation log and checkpoint store (see `Catalog`).
 */
export class VectorStore {
  private readonly catalog: Catalog;
  private readonly open = new Map<string, Collection>();
  private closed = false;

  private constructor(dataDir: string, logger?: Logger) {
    this.catalog = new Catalog(dataDir, logger);
    for (const c of this.catalog.openAll()) this.open.set(c.name, c);
  }

  /** Opens the collections of the data directory holding `file` (the former `vector.db` path). */
  static open(file: string, logger?: Logger): VectorStore {
    return new VectorStore(dirname(file), logger);
  }

  static openDir(dataDir: string, logger?: Logger): VectorStore {
    return new VectorStore(dataDir, logger);
  }

  collections(): StoredCollection[] {
    return [...this.open.values()].map((collection) => ({ name: collection.name, collection }));
  }

  createCollection(name: string, config: CollectionConfig): Collection {
    const c = this.catalog.create(name, config);
    this.open.set(name, c);
    return c;
  }

  /** Closes and deletes a collection's files. */
  deleteCollection(name: string): void {
    const c = this.open.get(name);
    if (!c) return;
    c.drop();
    this.catalog.delete(c);
    this.open.delete(name);
  }

  /**
   * Replaces (or creates) collection `name` with the contents of a snapshot directory written by
   * `Collection.snapshot`. The copy is opened and checked first: a damaged snapshot is refused
   * (`WrongInputError`) and the live collection stays as it was.
   */
  restoreCollection(name: string, fromDir: string): Collection {
    const staged = this.catalog.stage(name, fromDir);
    this.open.get(name)?.drop();
    this.open.delete(name);
    const c = this.catalog.moveIn(staged, name);
    this.open.set(name, c);
    return c;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.open.values()) c.close();
    this.open.clear();
  }
}
