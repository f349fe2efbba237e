import { join } from 'node:path';
import type { Logger } from 'pino';
import { Collection } from '../collection/collection.js';
import type { CollectionConfig } from '../collection/config.js';
import { VectorStore } from '../collection/store.js';
import { CollectionExistsError, CollectionNotFoundError } from '../errors.js';

/**
 * The collections registry: opens the store in the data directory, loads every collection into
 * memory at start, and creates, finds and drops collections. The API layer talks to this.
 */
export class Engine {
  private readonly collections = new Map<string, Collection>();
  private closed = false;

  private constructor(private readonly store: VectorStore) {
    for (const stored of store.collections()) this.collections.set(stored.name, Collection.load(stored, store));
  }

  /** Opens (or creates) the engine's database `vector.db` under `dataDir`. */
  static open(dataDir: string, logger?: Logger): Engine {
    const started = Date.now();
    const engine = new Engine(VectorStore.open(join(dataDir, 'vector.db')));
    logger?.info({ collections: engine.collections.size, points: engine.totalPoints(), ms: Date.now() - started }, 'vector engine loaded');
    return engine;
  }

  names(): string[] {
    return [...this.collections.keys()];
  }

  has(name: string): boolean {
    return this.collections.has(name);
  }

  /** The collection, or a 404 error in Qdrant's words. */
  get(name: string): Collection {
    const c = this.collections.get(name);
    if (!c) throw new CollectionNotFoundError(name);
    return c;
  }

  create(name: string, config: CollectionConfig): Collection {
    if (this.collections.has(name)) throw new CollectionExistsError(name);
    const c = Collection.create(name, config, this.store);
    this.collections.set(name, c);
    return c;
  }

  /** Drops a collection and its points; false when it did not exist. */
  delete(name: string): boolean {
    if (!this.collections.has(name)) return false;
    this.store.deleteCollection(name);
    this.collections.delete(name);
    return true;
  }

  totalPoints(): number {
    let n = 0;
    for (const c of this.collections.values()) n += c.pointsCount;
    return n;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.store.close();
  }
}
