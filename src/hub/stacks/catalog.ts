import { NotFoundError } from '../../core/errors.js';
import { StackInvalidError } from '../errors.js';
import type { StackStore, StackVersion } from '../store/stacks.js';
import { parseStack } from './parse.js';
import type { Stack } from './schema.js';

/** A stored stack version with its parsed model. */
export interface CurrentStack {
  version: StackVersion;
  stack: Stack;
}

export interface StoredChange {
  current: CurrentStack;
  created: boolean;
}

/**
 * The stacks the hub manages: validated on the way in, versioned (every version kept, so any can be
 * diffed or rolled back to), parsed once per version. The latest version of a stack is the one the
 * hub deploys.
 */
export class StackCatalog {
  private readonly parsed = new Map<string, CurrentStack>();
  private readonly listeners: Array<(change: CurrentStack) => void> = [];

  constructor(readonly store: StackStore) {}

  /** Stores `yaml` as the first version of its stack if that stack has no version yet. */
  seed(yaml: string): CurrentStack {
    const stack = parseStack(yaml);
    const existing = this.store.latest(stack.name);
    if (existing) return this.load(existing);
    return this.put(stack.name, yaml, { author: 'hub', note: 'initial stack' }).current;
  }

  /** Validates and stores a new version of stack `name` (unchanged text keeps the current version). */
  put(name: string, yaml: string, meta: { author?: string | null; note?: string | null } = {}): StoredChange {
    const stack = parseStack(yaml);
    if (stack.name !== name) {
      throw new StackInvalidError([{ line: 1, path: 'name', message: `the file names stack "${stack.name}" but is being stored as "${name}"` }]);
    }
    const { stored, created } = this.store.put(name, yaml, meta);
    const current = { version: stored, stack };
    this.parsed.set(key(stored), current);
    if (created) for (const l of this.listeners) l(current);
    return { current, created };
  }

  get(name: string): CurrentStack {
    const latest = this.store.latest(name);
    if (!latest) throw new NotFoundError('HUB_STACK_NOT_FOUND', `no stack named "${name}"`);
    return this.load(latest);
  }

  has(name: string): boolean {
    return this.store.latest(name) !== undefined;
  }

  /** A given version of a stack. */
  version(name: string, version: number): CurrentStack {
    const v = this.store.get(name, version);
    if (!v) throw new NotFoundError('HUB_STACK_VERSION_NOT_FOUND', this.has(name) ? `stack "${name}" has no version ${version}` : `no stack named "${name}"`);
    return this.load(v);
  }

  history(name: string): StackVersion[] {
    const versions = this.store.history(name);
    if (versions.length === 0) throw new NotFoundError('HUB_STACK_NOT_FOUND', `no stack named "${name}"`);
    return versions;
  }

  /** The latest version of every stack, by name. */
  all(): CurrentStack[] {
    return this.store.allLatest().map((v) => this.load(v));
  }

  /** Called after a new version is stored. */
  onChange(listener: (change: CurrentStack) => void): void {
    this.listeners.push(listener);
  }

  private load(version: StackVersion): CurrentStack {
    const cached = this.parsed.get(key(version));
    if (cached) return cached;
    const current = { version, stack: parseStack(version.yaml) };
    this.parsed.set(key(version), current);
    return current;
  }
}

function key(v: StackVersion): string {
  return `${v.name}@${v.version}`;
}
