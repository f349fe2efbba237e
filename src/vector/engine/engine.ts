import { join } from 'node:path';
import type { Logger } from 'pino';
import { Collection } from '../collection/collection.js';
import type { CollectionConfig } from '../collection/config.js';
import { VectorStore } from '../collection/store.js';
import { CollectionExistsError, CollectionNotFoundError, WrongInputError } from '../errors.js';
import { AliasStore, type AliasAction } from './aliases.js';
import { Quotas } from './quotas.js';

/**
 * The collections registry: opens the store in the data directory, loads every collection into
 * memory at start, and creates, finds and drops collections. The API layer talks to this.
 */
export class Engine {
  private readonly collections = new Map<string, Collection>();
  private closed = false;
  /** Collection aliases (`aliases.json` in the data directory). */
  readonly aliases: AliasStore;
  /** Node-wide resource quotas (`quota.json` in the data directory). */
  readonly quotas: Quotas;

  private constructor(
    private readonly store: VectorStore,
    readonly dataDir: string,
  ) {
    this.aliases = AliasStore.open(dataDir);
    this.quotas = new Quotas(dataDir);
    for (const stored of store.collections()) this.collections.set(stored.name, Collection.load(stored, store));
  }

  /** Opens (or creates) the engine's database `vector.db` under `dataDir`. */
  static open(dataDir: string, logger?: Logger): Engine {
    const started = Date.now();
    const engine = new Engine(VectorStore.open(join(dataDir, 'vector.db')), dataDir);
    logger?.info({ collections: engine.collections.size, points: engine.totalPoints(), ms: Date.now() - started }, 'vector engine loaded');
    return engine;
  }

  names(): string[] {
    return [...this.collections.keys()];
  }

  has(name: string): boolean {
    return this.collections.has(name);
  }

  /** The collection a name or an alias designates, or undefined. */
  resolve(name: string): string | undefined {
    if (this.collections.has(name)) return name;
    const target = this.aliases.get(name);
    return target !== undefined && this.collections.has(target) ? target : undefined;
  }

  /** The collection (by name or alias), or a 404 error in Qdrant's words. */
  get(name: string): Collection {
    const real = this.resolve(name);
    const c = real === undefined ? undefined : this.collections.get(real);
    if (!c) throw new CollectionNotFoundError(name);
    return c;
  }

  /** Applies alias actions all or nothing (Qdrant's `POST /collections/aliases`). */
  updateAliases(actions: AliasAction[]): void {
    this.aliases.apply(actions, (action) => {
      if (!this.collections.has(action.collection)) throw new CollectionNotFoundError(action.collection);
      if (this.collections.has(action.alias)) throw new CollectionExistsError(action.alias);
    });
  }

  create(name: string, config: CollectionConfig): Collection {
    if (this.collections.has(name)) throw new CollectionExistsError(name);
    if (this.aliases.has(name)) throw new WrongInputError(`Can't create collection with name ${name}. Alias with the same name already exists`, 'VECTOR_ALIAS_EXISTS');
    const c = Collection.create(name, config, this.store);
    this.collections.set(name, c);
    return c;
  }

  /**
   * Replaces (or creates) collection `name` with a snapshot's files (a directory written by
   * `Collection.snapshot`). Aliases pointing to `name` keep pointing to it.
   */
  async restore(name: string, fromDir: string): Promise<void> {
    if (this.aliases.has(name) && !this.collections.has(name)) throw new WrongInputError(`Can't create collection with name ${name}. Alias with the same name already exists`, 'VECTOR_ALIAS_EXISTS');
    const c = this.store.restoreCollection(name, fromDir);
    this.collections.set(name, c);
  }

  /** Drops a collection and its points; false when it did not exist. */
  delete(name: string): boolean {
    if (!this.collections.has(name)) return false;
    this.aliases.removeCollection(name);
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
