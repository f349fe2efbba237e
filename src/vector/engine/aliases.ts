import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VectorNotFoundError } from '../errors.js';
import { writeFileDurably } from '../../core/durable-file.js';

/**
 * Collection aliases, as Qdrant keeps them: a small name → collection map held in memory and saved
 * durably (write to a temporary file, fsync, rename, fsync the directory) on every change, so a
 * change that was answered survives a crash. A batch of alias actions is applied all or nothing.
 */
export type AliasAction =
  | { type: 'create'; alias: string; collection: string }
  | { type: 'delete'; alias: string }
  | { type: 'rename'; from: string; to: string };

export class AliasStore {
  private map: Map<string, string>;

  private constructor(private readonly file: string) {
    this.map = new Map();
    if (existsSync(file)) {
      const data = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
      for (const [alias, collection] of Object.entries(data)) this.map.set(alias, collection);
    }
  }

  static open(dataDir: string): AliasStore {
    mkdirSync(dataDir, { recursive: true });
    return new AliasStore(join(dataDir, 'aliases.json'));
  }

  /** The collection an alias points to. */
  get(alias: string): string | undefined {
    return this.map.get(alias);
  }

  has(alias: string): boolean {
    return this.map.has(alias);
  }

  /** Every alias, sorted by name. */
  list(collection?: string): Array<{ alias_name: string; collection_name: string }> {
    return [...this.map]
      .filter(([, c]) => collection === undefined || c === collection)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([alias_name, collection_name]) => ({ alias_name, collection_name }));
  }

  /**
   * Applies actions in order on a copy; `check` validates each create against the collections
   * (throwing Qdrant's errors). Nothing changes unless every action succeeds.
   */
  apply(actions: AliasAction[], check: (action: Extract<AliasAction, { type: 'create' }>) => void): void {
    this.save(aliasesAfter(this.map, actions, check));
  }

  /** Drops the aliases of a deleted collection. */
  removeCollection(collection: string): void {
    const next = new Map([...this.map].filter(([, c]) => c !== collection));
    if (next.size !== this.map.size) this.save(next);
  }

  private save(next: Map<string, string>): void {
    writeFileDurably(this.file, JSON.stringify(Object.fromEntries(next)));
    this.map = next;
  }
}

/**
 * The alias table after `actions`, applied in order to a copy of `current` (Qdrant's semantics:
 * create overwrites, delete of an unknown alias is a no-op, rename of an unknown alias is a 404).
 * `check` vets each create and throws to refuse it.
 */
export function aliasesAfter(current: ReadonlyMap<string, string>, actions: readonly AliasAction[], check: (action: Extract<AliasAction, { type: 'create' }>) => void): Map<string, string> {
  const next = new Map(current);
  for (const action of actions) {
    switch (action.type) {
      case 'create':
        check(action);
        next.set(action.alias, action.collection);
        break;
      case 'delete':
        next.delete(action.alias);
        break;
      case 'rename': {
        const collection = next.get(action.from);
        if (collection === undefined) throw new VectorNotFoundError(`Alias ${action.from} does not exists!`, 'VECTOR_ALIAS_NOT_FOUND');
        next.delete(action.from);
        next.set(action.to, collection);
        break;
      }
    }
  }
  return next;
}
