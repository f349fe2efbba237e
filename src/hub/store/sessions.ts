import { createHash, randomBytes } from 'node:crypto';
import type { HubDatabase } from './db.js';

/**
 * Login sessions. The bearer token is 256 random bits handed to the client once; the database
 * keeps only its SHA-256, so a copy of the database does not let anyone in.
 */
export interface Session {
  username: string;
  expiresAt: number;
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export class SessionStore {
  constructor(private readonly db: HubDatabase) {}

  create(username: string, ttlMs: number, now = Date.now()): { token: string; expiresAt: number } {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = now + ttlMs;
    this.db.prepare('INSERT INTO sessions (token_hash, username, created_at, expires_at) VALUES (?, ?, ?, ?)').run(digest(token), username, now, expiresAt);
    return { token, expiresAt };
  }

  /** The live session for a token, if any. */
  lookup(token: string, now = Date.now()): Session | undefined {
    if (token.length === 0 || token.length > 128) return undefined;
    const row = this.db.prepare('SELECT username, expires_at AS expiresAt FROM sessions WHERE token_hash = ?').get(digest(token)) as Session | undefined;
    return row && row.expiresAt > now ? row : undefined;
  }

  revoke(token: string): void {
    this.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(digest(token));
  }

  /** Ends every session of a user (after a password change). */
  revokeAll(username: string): number {
    return this.db.prepare('DELETE FROM sessions WHERE username = ?').run(username).changes;
  }

  purgeExpired(now = Date.now()): number {
    return this.db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(now).changes;
  }
}
