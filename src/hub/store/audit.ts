import type { HubDatabase } from './db.js';

/** Who acted: a console user (session), an API token, an agent, a webhook, or the hub itself. */
export type ActorKind = 'session' | 'token' | 'agent' | 'webhook' | 'system' | 'anonymous';

/** One entry of the audit log: who did what to which target, when, from where, and how it ended. */
export interface AuditEntry {
  id: number;
  at: number;
  actor: string;
  actorKind: ActorKind;
  action: string;
  target: string | null;
  outcome: 'ok' | 'refused' | 'failed';
  status: number | null;
  client: string | null;
  userAgent: string | null;
  detail: Record<string, unknown> | null;
}

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'at'> & { at?: number };

export interface AuditQuery {
  limit: number;
  /** Entries with an id below this (paging backwards). */
  before?: number | undefined;
  actor?: string | undefined;
  action?: string | undefined;
}

interface Row extends Omit<AuditEntry, 'detail'> {
  detail: string | null;
}

const COLUMNS = 'id, at, actor, actor_kind AS actorKind, action, target, outcome, status, client, user_agent AS userAgent, detail';

export class AuditStore {
  constructor(private readonly db: HubDatabase) {}

  append(e: NewAuditEntry): number {
    const r = this.db
      .prepare('INSERT INTO audit (at, actor, actor_kind, action, target, outcome, status, client, user_agent, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(e.at ?? Date.now(), e.actor, e.actorKind, e.action, e.target, e.outcome, e.status, e.client, e.userAgent?.slice(0, 256) ?? null, e.detail ? JSON.stringify(e.detail) : null);
    return Number(r.lastInsertRowid);
  }

  /** Newest first. */
  list(q: AuditQuery): AuditEntry[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.before !== undefined) {
      where.push('id < ?');
      args.push(q.before);
    }
    if (q.actor !== undefined) {
      where.push('actor = ?');
      args.push(q.actor);
    }
    if (q.action !== undefined) {
      where.push('action LIKE ?');
      args.push(`${q.action}%`);
    }
    const sql = `SELECT ${COLUMNS} FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...args, q.limit) as Row[]).map((r) => ({ ...r, detail: r.detail === null ? null : (JSON.parse(r.detail) as Record<string, unknown>) }));
  }
}
