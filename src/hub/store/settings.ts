import { randomBytes } from 'node:crypto';
import type { HubDatabase } from './db.js';

/** Small key/value settings the hub keeps across restarts (e.g. its CSRF secret). */
export class SettingsStore {
  constructor(private readonly db: HubDatabase) {}

  get(key: string): string | undefined {
    return (this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  set(key: string, value: string): void {
    this.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  /** A random secret stored under `key`, created on first use. */
  secret(key: string): Buffer {
    const existing = this.get(key);
    if (existing) return Buffer.from(existing, 'base64url');
    const value = randomBytes(32);
    this.set(key, value.toString('base64url'));
    return value;
  }
}
