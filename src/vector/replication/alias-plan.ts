import { aliasesAfter, type AliasAction } from '../engine/aliases.js';
import type { Engine } from '../engine/engine.js';
import { CollectionExistsError, CollectionNotFoundError } from '../errors.js';

/**
 * Alias changes as the leader logs them: the request's actions are checked against the current
 * collections and aliases (with the errors `Engine.updateAliases` gives) without changing anything,
 * and turned into absolute actions — remove these aliases, point those at these collections — so
 * that applying the record twice changes nothing the second time (a rename applied twice would).
 */
export function planAliases(engine: Engine, actions: readonly AliasAction[]): AliasAction[] {
  const before = new Map(engine.aliases.list().map((a) => [a.alias_name, a.collection_name]));
  const next = aliasesAfter(before, actions, (action) => {
    if (!engine.has(action.collection)) throw new CollectionNotFoundError(action.collection);
    if (engine.has(action.alias)) throw new CollectionExistsError(action.alias);
  });
  const out: AliasAction[] = [];
  for (const alias of before.keys()) if (!next.has(alias)) out.push({ type: 'delete', alias });
  for (const [alias, collection] of next) if (before.get(alias) !== collection) out.push({ type: 'create', alias, collection });
  return out;
}

/** Applies absolute alias actions (no checks: the leader checked them; replaying them is harmless). */
export function applyAliases(engine: Engine, actions: readonly AliasAction[]): void {
  if (actions.length > 0) engine.aliases.apply([...actions], () => undefined);
}
