import type { CaDatabase } from './database.js';

/** How a certificate came to be: first issue with a token, or renewal of a valid certificate. */
export type IssuanceKind = 'sign' | 'renew';

export interface IssuedCertificate {
  /** Serial number, uppercase hex (as node:crypto prints it). */
  serial: string;
  subject: string;
  sans: string[];
  provisioner: string;
  notBefore: Date;
  notAfter: Date;
  /** The lifetime granted at issue (before rounding to whole seconds); a renewal grants it again. */
  lifetimeMs: number;
  created: Date;
  how: IssuanceKind;
  /** Serial of the certificate this one renewed. */
  renewedFrom?: string;
  pem: string;
}

/** Where a page of the inventory ends: the creation time and serial of its last certificate. */
export interface InventoryCursor {
  created: number;
  serial: string;
}

interface Row {
  serial: string;
  subject: string;
  sans: string;
  provisioner: string;
  not_before: number;
  not_after: number;
  lifetime_ms: number;
  created: number;
  how: IssuanceKind;
  renewed_from: string | null;
  pem: string;
}

/** Every certificate the CA issued (the base for renewal checks, later revocation and CRLs). */
export class CertificateRecords {
  private readonly insert;
  private readonly bySerial;
  private readonly total;
  private readonly page;
  private readonly keyset;

  constructor(db: CaDatabase) {
    this.insert = db.prepare(
      `INSERT INTO certificates (serial, subject, sans, provisioner, not_before, not_after, lifetime_ms, created, how, renewed_from, pem)
       VALUES (@serial, @subject, @sans, @provisioner, @not_before, @not_after, @lifetime_ms, @created, @how, @renewed_from, @pem)`,
    );
    this.bySerial = db.prepare<[string], Row>('SELECT * FROM certificates WHERE serial = ?');
    this.total = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM certificates');
    this.page = db.prepare<[number, number], Row>('SELECT * FROM certificates WHERE not_after >= ? ORDER BY created DESC LIMIT ?');
    this.keyset = db.prepare<{ from: number; created: number; serial: string; limit: number }, Row>(
      `SELECT * FROM certificates WHERE not_after >= @from AND (created < @created OR (created = @created AND serial < @serial))
       ORDER BY created DESC, serial DESC LIMIT @limit`,
    );
  }

  record(cert: IssuedCertificate): void {
    this.insert.run({
      serial: normalizeSerial(cert.serial),
      subject: cert.subject,
      sans: JSON.stringify(cert.sans),
      provisioner: cert.provisioner,
      not_before: cert.notBefore.getTime(),
      not_after: cert.notAfter.getTime(),
      lifetime_ms: cert.lifetimeMs,
      created: cert.created.getTime(),
      how: cert.how,
      renewed_from: cert.renewedFrom ?? null,
      pem: cert.pem,
    });
  }

  find(serial: string): IssuedCertificate | undefined {
    const row = this.bySerial.get(normalizeSerial(serial));
    return row ? toIssued(row) : undefined;
  }

  /** The inventory, newest first: certificates expiring at or after `notAfterFrom` (epoch 0: all). */
  list(options: { notAfterFrom?: Date; limit?: number } = {}): IssuedCertificate[] {
    return this.page.all(options.notAfterFrom?.getTime() ?? 0, options.limit ?? 1000).map(toIssued);
  }

  /**
   * One page of the inventory, newest first (keyset paging: stable while certificates are added).
   * `after` is the last row of the previous page; `next` is set when more may follow.
   */
  pageOf(options: { notAfterFrom?: Date; limit: number; after?: InventoryCursor }): { certificates: IssuedCertificate[]; next: InventoryCursor | undefined } {
    const rows = this.keyset.all({
      from: options.notAfterFrom?.getTime() ?? 0,
      created: options.after?.created ?? Number.MAX_SAFE_INTEGER,
      serial: options.after?.serial ?? '',
      limit: options.limit + 1,
    });
    const more = rows.length > options.limit;
    const certificates = rows.slice(0, options.limit).map(toIssued);
    const last = certificates.at(-1);
    return { certificates, next: more && last ? { created: last.created.getTime(), serial: last.serial } : undefined };
  }

  count(): number {
    return this.total.get()?.n ?? 0;
  }
}

function toIssued(row: Row): IssuedCertificate {
  return {
    serial: row.serial,
    subject: row.subject,
    sans: JSON.parse(row.sans) as string[],
    provisioner: row.provisioner,
    notBefore: new Date(row.not_before),
    notAfter: new Date(row.not_after),
    lifetimeMs: row.lifetime_ms,
    created: new Date(row.created),
    how: row.how,
    ...(row.renewed_from ? { renewedFrom: row.renewed_from } : {}),
    pem: row.pem,
  };
}

/** Serials compare as uppercase hex without leading zeros or separators. */
export function normalizeSerial(serial: string): string {
  const hex = serial.replace(/[^0-9a-fA-F]/g, '').toUpperCase().replace(/^0+(?=.)/, '');
  return hex;
}
