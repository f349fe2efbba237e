import type { CaDatabase } from './database.js';

/** What the audit log records: every issue, renewal, revocation and EAB key, and every refused request (inventory reads too). */
export type AuditAction = 'sign' | 'renew' | 'revoke' | 'eab' | 'inventory';
export type AuditOutcome = 'ok' | 'refused';

export interface AuditEntry {
  at: Date;
  action: AuditAction;
  outcome: AuditOutcome;
  provisioner?: string | undefined;
  /** Who asked: token subject, ACME account, presented certificate serial, admin. */
  actor?: string | undefined;
  subject?: string | undefined;
  sans?: readonly string[] | undefined;
  serial?: string | undefined;
  /** Error code and message for refusals, reason for revocations. */
  detail?: string | undefined;
}

interface Row {
  at: number;
  action: AuditAction;
  outcome: AuditOutcome;
  provisioner: string | null;
  actor: string | null;
  subject: string | null;
  sans: string | null;
  serial: string | null;
  detail: string | null;
}

/** The CA's append-only audit log, in its SQLite database. */
export class AuditLog {
  private readonly insert;
  private readonly recent;

  constructor(db: CaDatabase) {
    this.insert = db.prepare(
      'INSERT INTO audit (at, action, outcome, provisioner, actor, subject, sans, serial, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.recent = db.prepare<[number], Row>('SELECT * FROM audit ORDER BY id DESC LIMIT ?');
  }

  append(e: AuditEntry): void {
    this.insert.run(
      e.at.getTime(),
      e.action,
      e.outcome,
      e.provisioner ?? null,
      e.actor ?? null,
      e.subject ?? null,
      e.sans ? JSON.stringify(e.sans) : null,
      e.serial ?? null,
      e.detail ?? null,
    );
  }

  /** The newest `limit` entries, newest first. */
  latest(limit = 100): AuditEntry[] {
    return this.recent.all(limit).map((r) => ({
      at: new Date(r.at),
      action: r.action,
      outcome: r.outcome,
      provisioner: r.provisioner ?? undefined,
      actor: r.actor ?? undefined,
      subject: r.subject ?? undefined,
      sans: r.sans ? (JSON.parse(r.sans) as string[]) : undefined,
      serial: r.serial ?? undefined,
      detail: r.detail ?? undefined,
    }));
  }
}
