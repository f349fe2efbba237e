import type { CaDatabase } from './database.js';
import { normalizeSerial } from './certificates.js';

/** RFC 5280 CRLReason codes the CA accepts (7 is unused; 8 removeFromCRL only applies to holds). */
export const REVOCATION_REASONS = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  privilegeWithdrawn: 9,
  aACompromise: 10,
} as const;
export type RevocationReasonCode = (typeof REVOCATION_REASONS)[keyof typeof REVOCATION_REASONS];

export function isRevocationReason(code: number): code is RevocationReasonCode {
  return (Object.values(REVOCATION_REASONS) as number[]).includes(code);
}

export interface Revocation {
  serial: string;
  revokedAt: Date;
  reason: RevocationReasonCode;
  /** Who asked: `admin:<token subject>`, `acme:<account>`, `key:<serial>`, `mtls:<serial>`. */
  revokedBy: string;
  /** The certificate's expiry; the CRL lists it until then. */
  notAfter: Date;
}

interface Row {
  serial: string;
  revoked_at: number;
  reason: number;
  revoked_by: string;
  not_after: number;
}

/** Revoked serials (the source of the CRL). A serial is revoked at most once. */
export class RevocationRecords {
  private readonly insert;
  private readonly bySerial;
  private readonly current;

  constructor(db: CaDatabase) {
    this.insert = db.prepare('INSERT OR IGNORE INTO revocations (serial, revoked_at, reason, revoked_by, not_after) VALUES (?, ?, ?, ?, ?)');
    this.bySerial = db.prepare<[string], Row>('SELECT * FROM revocations WHERE serial = ?');
    this.current = db.prepare<[number], Row>('SELECT * FROM revocations WHERE not_after >= ? ORDER BY revoked_at');
  }

  /** Records a revocation; false when the serial was already revoked. */
  revoke(r: Revocation): boolean {
    return this.insert.run(normalizeSerial(r.serial), r.revokedAt.getTime(), r.reason, r.revokedBy, r.notAfter.getTime()).changes === 1;
  }

  find(serial: string): Revocation | undefined {
    const row = this.bySerial.get(normalizeSerial(serial));
    return row ? toRevocation(row) : undefined;
  }

  isRevoked(serial: string): boolean {
    return this.bySerial.get(normalizeSerial(serial)) !== undefined;
  }

  /** Revocations of certificates that have not expired by `now` (expired ones leave the CRL). */
  unexpired(now: Date): Revocation[] {
    return this.current.all(now.getTime()).map(toRevocation);
  }
}

function toRevocation(row: Row): Revocation {
  return { serial: row.serial, revokedAt: new Date(row.revoked_at), reason: row.reason as RevocationReasonCode, revokedBy: row.revoked_by, notAfter: new Date(row.not_after) };
}
