import { createHash, randomBytes } from 'node:crypto';
import type { Role } from '../auth/roles.js';
import type { HubDatabase } from './db.js';

/**
 * API tokens for automation: `phx_<id>_<secret>`. The database keeps the SHA-256 of the secret
 * only; the whole token is shown once, when created. A token carries a role no higher than its
 * owner's and dies with its owner.
 */
export interface ApiTokenRecord {
  id: string;
  name: string;
  username: string;
  role: Role;
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
}

export const API_TOKEN_PREFIX = 'phx_';
const TOKEN_RE = /^phx_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;
const COLUMNS = 'id, name, username, role, created_at AS createdAt, expires_at AS expiresAt, last_used_at AS lastUsedAt';

function digest(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

export function looksLikeApiToken(value: string): boolean {
  return value.startsWith(API_TOKEN_PREFIX);
}

export class ApiTokenStore {
  constructor(private readonly db: HubDatabase) {}

  create(input: { name: string; username: string; role: Role; expiresAt: number | null }, now = Date.now()): { token: string; record: ApiTokenRecord } {
    const id = randomBytes(9).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, '0').slice(0, 12).padEnd(12, '0');
    const secret = randomBytes(32).toString('base64url');
    this.db
      .prepare('INSERT INTO api_tokens (id, name, username, role, secret_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(id, input.name, input.username, input.role, digest(secret), now, input.expiresAt);
    return { token: `${API_TOKEN_PREFIX}${id}_${secret}`, record: { id, name: input.name, username: input.username, role: input.role, createdAt: now, expiresAt: input.expiresAt, lastUsedAt: null } };
  }

  /** The live token record for a presented token, if any; records its use. */
  verify(token: string, now = Date.now()): ApiTokenRecord | undefined {
    const m = TOKEN_RE.exec(token);
    if (!m) return undefined;
    const row = this.db.prepare(`SELECT ${COLUMNS}, secret_hash AS secretHash FROM api_tokens WHERE id = ?`).get(m[1]) as (ApiTokenRecord & { secretHash: string }) | undefined;
    if (!row || row.secretHash !== digest(m[2] as string)) return undefined;
    if (row.expiresAt !== null && row.expiresAt <= now) return undefined;
    // Last use is recorded at most once a minute, to keep reads cheap.
    if (row.lastUsedAt === null || now - row.lastUsedAt > 60_000) this.db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?').run(now, row.id);
    const { secretHash: _secretHash, ...record } = row;
    return record;
  }

  get(id: string): ApiTokenRecord | undefined {
    return this.db.prepare(`SELECT ${COLUMNS} FROM api_tokens WHERE id = ?`).get(id) as ApiTokenRecord | undefined;
  }

  list(username?: string): ApiTokenRecord[] {
    if (username === undefined) return this.db.prepare(`SELECT ${COLUMNS} FROM api_tokens ORDER BY created_at`).all() as ApiTokenRecord[];
    return this.db.prepare(`SELECT ${COLUMNS} FROM api_tokens WHERE username = ? ORDER BY created_at`).all(username) as ApiTokenRecord[];
  }

  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM api_tokens WHERE id = ?').run(id).changes === 1;
  }
}
