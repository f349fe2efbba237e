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

/** The stacks the hub manages: validated on the way in, versioned, parsed once per version. */
export class StackCatalog {
  private readonly parsed = new Map<string, CurrentStack>();
  private readonly listeners: Array<() => void> = [];

  constructor(private readonly store: StackStore) {}

  /** Stores `yaml` as the first version of its stack if that stack has no version yet. */
  seed(yaml: string): CurrentStack {
    const stack = parseStack(yaml);
    const existing = this.store.latest(stack.name);
    if (existing) return this.load(existing);
    return this.put(stack.name, yaml).current;
  }

  /** Validates and stores a new version of stack `name` (unchanged text keeps the current version). */
  put(name: string, yaml: string): { current: CurrentStack; created: boolean } {
    const stack = parseStack(yaml);
    if (stack.name !== name) {
      throw new StackInvalidError([{ line: 1, path: 'name', message: `the file names stack "${stack.name}" but is being stored as "${name}"` }]);
    }
    const { stored, created } = this.store.put(name, yaml);
    const current = { version: stored, stack };
    this.parsed.set(name, current);
    if (created) for (const l of this.listeners) l();
    return { current, created };
  }

  get(name: string): CurrentStack {
    const latest = this.store.latest(name);
    if (!latest) throw new NotFoundError('HUB_STACK_NOT_FOUND', `no stack named "${name}"`);
    return this.load(latest);
  }

  /** The latest version of every stack, by name. */
  all(): CurrentStack[] {
    return this.store.allLatest().map((v) => this.load(v));
  }

  /** Called after a new version is stored. */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  private load(version: StackVersion): CurrentStack {
    const cached = this.parsed.get(version.name);
    if (cached && cached.version.version === version.version) return cached;
    const current = { version, stack: parseStack(version.yaml) };
    this.parsed.set(version.name, current);
    return current;
  }
}
