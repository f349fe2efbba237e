import type { HubDatabase } from './db.js';

/** One stored version of a stack file. Versions count from 1 per stack name. */
export interface StackVersion {
  name: string;
  version: number;
  yaml: string;
  createdAt: number;
}

const COLUMNS = 'name, version, yaml, created_at AS createdAt';

export class StackStore {
  constructor(private readonly db: HubDatabase) {}

  latest(name: string): StackVersion | undefined {
    return this.db.prepare(`SELECT ${COLUMNS} FROM stack_versions WHERE name = ? ORDER BY version DESC LIMIT 1`).get(name) as StackVersion | undefined;
  }

  /** The latest version of every stack, by name. */
  allLatest(): StackVersion[] {
    return this.db
      .prepare(`SELECT ${COLUMNS} FROM stack_versions s WHERE version = (SELECT MAX(version) FROM stack_versions WHERE name = s.name) ORDER BY name`)
      .all() as StackVersion[];
  }

  /** Stores `yaml` as the next version, unless it equals the latest one (then that one is returned). */
  put(name: string, yaml: string, now = Date.now()): { stored: StackVersion; created: boolean } {
    return this.db.transaction(() => {
      const latest = this.latest(name);
      if (latest && latest.yaml === yaml) return { stored: latest, created: false };
      const stored: StackVersion = { name, version: (latest?.version ?? 0) + 1, yaml, createdAt: now };
      this.db.prepare('INSERT INTO stack_versions (name, version, yaml, created_at) VALUES (?, ?, ?, ?)').run(name, stored.version, yaml, now);
      return { stored, created: true };
    })();
  }
}
