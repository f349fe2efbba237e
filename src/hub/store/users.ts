import type { Role } from '../auth/roles.js';
import type { HubDatabase } from './db.js';

export interface UserRecord {
  username: string;
  role: Role;
  createdAt: number;
  updatedAt: number;
}

const COLUMNS = 'username, role, created_at AS createdAt, updated_at AS updatedAt';

/** Console users, their roles and scrypt password hashes. */
export class UserStore {
  constructor(private readonly db: HubDatabase) {}

  passwordHash(username: string): string | undefined {
    const row = this.db.prepare('SELECT password_hash AS hash FROM users WHERE username = ?').get(username) as { hash: string } | undefined;
    return row?.hash;
  }

  /** Sets a user's password hash, creating the user with `role` if it does not exist. */
  setPasswordHash(username: string, hash: string, now = Date.now(), role: Role = 'admin'): void {
    this.db
      .prepare(
        `INSERT INTO users (username, password_hash, updated_at, role, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(username) DO UPDATE SET password_hash = excluded.password_hash, updated_at = excluded.updated_at`,
      )
      .run(username, hash, now, role, now);
  }

  /** Creates a user; false when the name is taken. */
  create(username: string, hash: string, role: Role, now = Date.now()): boolean {
    const r = this.db.prepare('INSERT OR IGNORE INTO users (username, password_hash, updated_at, role, created_at) VALUES (?, ?, ?, ?, ?)').run(username, hash, now, role, now);
    return r.changes === 1;
  }

  get(username: string): UserRecord | undefined {
    return this.db.prepare(`SELECT ${COLUMNS} FROM users WHERE username = ?`).get(username) as UserRecord | undefined;
  }

  list(): UserRecord[] {
    return this.db.prepare(`SELECT ${COLUMNS} FROM users ORDER BY username`).all() as UserRecord[];
  }

  setRole(username: string, role: Role, now = Date.now()): boolean {
    return this.db.prepare('UPDATE users SET role = ?, updated_at = ? WHERE username = ?').run(role, now, username).changes === 1;
  }

  /** Deletes a user with their sessions and API tokens (foreign keys cascade). */
  delete(username: string): boolean {
    return this.db.prepare('DELETE FROM users WHERE username = ?').run(username).changes === 1;
  }

  countWithRole(role: Role): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM users WHERE role = ?').get(role) as { n: number }).n;
  }
}
