import type { Closeable } from '../../core/lifecycle.js';
import { CertificateRecords } from './certificates.js';
import { openCaDatabase, type CaDatabase } from './database.js';
import { UsedTokens } from './tokens.js';

export * from './certificates.js';
export * from './tokens.js';
export { openCaDatabase, type CaDatabase } from './database.js';

/** The CA's persistent state: issued certificates and used token ids, in one SQLite file. */
export class CaStore implements Closeable {
  readonly certificates: CertificateRecords;
  readonly tokens: UsedTokens;
  private closed = false;

  private constructor(private readonly db: CaDatabase) {
    this.certificates = new CertificateRecords(db);
    this.tokens = new UsedTokens(db);
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
