import { createHash, randomBytes } from 'node:crypto';
import type { HubDatabase } from './db.js';

/** One stored version of a stack file. Versions count from 1 per stack name and never change. */
export interface StackVersion {
  name: string;
  version: number;
  yaml: string;
  createdAt: number;
  /** Who stored it (a user, a token, `hub` for automatic rollbacks), when known. */
  author: string | null;
  /** Why: `edit`, `rollback to version 3`, `automatic rollback: …`, `scale qdrant=3`, … */
  note: string | null;
}

const COLUMNS = 'name, version, yaml, created_at AS createdAt, author, note';

export class StackStore {
  constructor(private readonly db: HubDatabase) {}

  latest(name: string): StackVersion | undefined {
    return this.db.prepare(`SELECT ${COLUMNS} FROM stack_versions WHERE name = ? ORDER BY version DESC LIMIT 1`).get(name) as StackVersion | undefined;
  }

  get(name: string, version: number): StackVersion | undefined {
    return this.db.prepare(`SELECT ${COLUMNS} FROM stack_versions WHERE name = ? AND version = ?`).get(name, version) as StackVersion | undefined;
  }

  /** Every version of a stack, newest first. */
  history(name: string): StackVersion[] {
    return this.db.prepare(`SELECT ${COLUMNS} FROM stack_versions WHERE name = ? ORDER BY version DESC`).all(name) as StackVersion[];
  }

  /** The latest version of every stack, by name. */
  allLatest(): StackVersion[] {
    return this.db
      .prepare(`SELECT ${COLUMNS} FROM stack_versions s WHERE version = (SELECT MAX(version) FROM stack_versions WHERE name = s.name) ORDER BY name`)
      .all() as StackVersion[];
  }

  /** Stores `yaml` as the next version, unless it equals the latest one (then that one is returned). */
  put(name: string, yaml: string, meta: { author?: string | null; note?: string | null } = {}, now = Date.now()): { stored: StackVersion; created: boolean } {
    return this.db.transaction(() => {
      const latest = this.latest(name);
      if (latest && latest.yaml === yaml) return { stored: latest, created: false };
      const stored: StackVersion = { name, version: (latest?.version ?? 0) + 1, yaml, createdAt: now, author: meta.author ?? null, note: meta.note ?? null };
      this.db.prepare('INSERT INTO stack_versions (name, version, yaml, created_at, author, note) VALUES (?, ?, ?, ?, ?, ?)').run(name, stored.version, yaml, now, stored.author, stored.note);
      return { stored, created: true };
    })();
  }

  // --- per-stack settings: redeploy generation and webhook ---------------------------------------

  generation(name: string): number {
    return (this.db.prepare('SELECT generation FROM stack_settings WHERE name = ?').get(name) as { generation: number } | undefined)?.generation ?? 0;
  }

  bumpGeneration(name: string): number {
    this.db.prepare('INSERT INTO stack_settings (name, generation) VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET generation = generation + 1').run(name);
    return this.generation(name);
  }

  /** Creates (or replaces) the stack's webhook secret; returns it (only its hash is kept). */
  rotateWebhook(name: string, now = Date.now()): string {
    const secret = randomBytes(24).toString('base64url');
    this.db
      .prepare('INSERT INTO stack_settings (name, webhook_hash, webhook_created_at) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET webhook_hash = excluded.webhook_hash, webhook_created_at = excluded.webhook_created_at')
      .run(name, digest(secret), now);
    return secret;
  }

  deleteWebhook(name: string): boolean {
    return this.db.prepare('UPDATE stack_settings SET webhook_hash = NULL, webhook_created_at = NULL WHERE name = ? AND webhook_hash IS NOT NULL').run(name).changes === 1;
  }

  webhookCreatedAt(name: string): number | null {
    return (this.db.prepare('SELECT webhook_created_at AS at FROM stack_settings WHERE name = ?').get(name) as { at: number | null } | undefined)?.at ?? null;
  }

  /** The stack a webhook secret belongs to, if any. */
  stackOfWebhook(secret: string): string | undefined {
    return (this.db.prepare('SELECT name FROM stack_settings WHERE webhook_hash = ?').get(digest(secret)) as { name: string } | undefined)?.name;
  }
}

function digest(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}
