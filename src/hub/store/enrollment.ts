import { createHash, randomBytes } from 'node:crypto';
import type { HubDatabase } from './db.js';

/**
 * One-time enrollment tokens for new hosts: `phxenr_<secret>`. Only the SHA-256 is stored; a token
 * works once, before it expires, and may be bound to an agent name.
 */
export interface EnrollmentToken {
  id: string;
  agentName: string | null;
  createdBy: string;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
  usedBy: string | null;
  usedFrom: string | null;
}

export const ENROLLMENT_PREFIX = 'phxenr_';
const COLUMNS = 'id, agent_name AS agentName, created_by AS createdBy, created_at AS createdAt, expires_at AS expiresAt, used_at AS usedAt, used_by AS usedBy, used_from AS usedFrom';

function digest(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

export type ClaimResult = { ok: true; token: EnrollmentToken } | { ok: false; reason: 'unknown' | 'used' | 'expired' | 'name'; token?: EnrollmentToken };

export class EnrollmentStore {
  constructor(private readonly db: HubDatabase) {}

  create(input: { agentName: string | null; createdBy: string; ttlMs: number }, now = Date.now()): { token: string; record: EnrollmentToken } {
    const id = randomBytes(6).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const token = `${ENROLLMENT_PREFIX}${secret}`;
    const record: EnrollmentToken = { id, agentName: input.agentName, createdBy: input.createdBy, createdAt: now, expiresAt: now + input.ttlMs, usedAt: null, usedBy: null, usedFrom: null };
    this.db
      .prepare('INSERT INTO enrollment_tokens (id, secret_hash, agent_name, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(id, digest(token), record.agentName, record.createdBy, now, record.expiresAt);
    return { token, record };
  }

  /**
   * Uses a token for `agentName`, atomically: of two racing claims exactly one succeeds. Fails when
   * the token is unknown, used, expired, or bound to another name.
   */
  claim(token: string, agentName: string, from: string, now = Date.now()): ClaimResult {
    return this.db.transaction((): ClaimResult => {
      const row = this.db.prepare(`SELECT ${COLUMNS} FROM enrollment_tokens WHERE secret_hash = ?`).get(digest(token)) as EnrollmentToken | undefined;
      if (!row) return { ok: false, reason: 'unknown' };
      if (row.usedAt !== null) return { ok: false, reason: 'used', token: row };
      if (row.expiresAt <= now) return { ok: false, reason: 'expired', token: row };
      if (row.agentName !== null && row.agentName !== agentName) return { ok: false, reason: 'name', token: row };
      const changed = this.db.prepare('UPDATE enrollment_tokens SET used_at = ?, used_by = ?, used_from = ? WHERE id = ? AND used_at IS NULL').run(now, agentName, from, row.id).changes;
      if (changed !== 1) return { ok: false, reason: 'used', token: row };
      return { ok: true, token: { ...row, usedAt: now, usedBy: agentName, usedFrom: from } };
    }).immediate();
  }

  list(): EnrollmentToken[] {
    return this.db.prepare(`SELECT ${COLUMNS} FROM enrollment_tokens ORDER BY created_at DESC`).all() as EnrollmentToken[];
  }

  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM enrollment_tokens WHERE id = ?').run(id).changes === 1;
  }
}
