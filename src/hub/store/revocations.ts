import type { HubDatabase } from './db.js';

export interface RevokedCertificate {
  serial: string;
  subject: string | null;
  revokedAt: number;
  reason: string;
  revokedBy: string;
}

const COLUMNS = 'serial, subject, revoked_at AS revokedAt, reason, revoked_by AS revokedBy';

/** Certificates revoked through the hub (or learned from the CA), by upper-case hex serial. */
export class RevocationStore {
  constructor(private readonly db: HubDatabase) {}

  add(r: RevokedCertificate): void {
    this.db
      .prepare('INSERT OR IGNORE INTO revoked_certificates (serial, subject, revoked_at, reason, revoked_by) VALUES (?, ?, ?, ?, ?)')
      .run(r.serial, r.subject, r.revokedAt, r.reason, r.revokedBy);
  }

  list(): RevokedCertificate[] {
    return this.db.prepare(`SELECT ${COLUMNS} FROM revoked_certificates ORDER BY revoked_at DESC`).all() as RevokedCertificate[];
  }
}
