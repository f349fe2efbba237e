import type { HubDatabase } from './db.js';

/** Console users and their scrypt password hashes. */
export class UserStore {
  constructor(private readonly db: HubDatabase) {}

  passwordHash(username: string): string | undefined {
    const row = this.db.prepare('SELECT password_hash AS hash FROM users WHERE username = ?').get(username) as { hash: string } | undefined;
    return row?.hash;
  }

  setPasswordHash(username: string, hash: string, now = Date.now()): void {
    this.db
      .prepare('INSERT INTO users (username, password_hash, updated_at) VALUES (?, ?, ?) ON CONFLICT(username) DO UPDATE SET password_hash = excluded.password_hash, updated_at = excluded.updated_at')
      .run(username, hash, now);
  }
}
