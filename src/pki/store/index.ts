import type { Closeable } from '../../core/lifecycle.js';
import { CertificateRecords } from './certificates.js';
import { openCaDatabase, type CaDatabase } from './database.js';
import { UsedTokens } from './tokens.js';
import { RevocationRecords } from './revocations.js';
import { AuditLog } from './audit.js';
import { AcmeStore } from '../acme/acme-store.js';

export * from './certificates.js';
export * from './tokens.js';
export * from './revocations.js';
export * from './audit.js';
export { openCaDatabase, type CaDatabase } from './database.js';

/**
 * The CA's persistent state in one SQLite file: issued certificates (the inventory), used token ids,
 * revocations, the audit log and ACME state.
 */
export class CaStore implements Closeable {
  readonly certificates: CertificateRecords;
  readonly tokens: UsedTokens;
  readonly revocations: RevocationRecords;
  readonly audit: AuditLog;
  readonly acme: AcmeStore;
  private closed = false;

  private constructor(private readonly db: CaDatabase) {
    this.certificates = new CertificateRecords(db);
    this.tokens = new UsedTokens(db);
    this.revocations = new RevocationRecords(db);
    this.audit = new AuditLog(db);
    this.acme = new AcmeStore(db);
  }

  /** `file` may be `:memory:` (unit tests). */
  static open(file: string): CaStore {
    return new CaStore(openCaDatabase(file));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}
