import type { CaDatabase } from './database.js';

/** What the authority needs to make one-time tokens single-use. */
export interface TokenLedger {
  /** Records the token id; false when it was used before. Atomic, so two racing requests cannot both win. */
  use(token: { provisioner: string; jti: string; subject: string; expiresAt: Date }): boolean;
}

/** Used token ids, kept in SQLite so single use survives a restart; pruned once the tokens expire. */
export class UsedTokens implements TokenLedger {
  private readonly insert;
  private readonly deleteExpired;

  constructor(db: CaDatabase) {
    this.insert = db.prepare(
      'INSERT OR IGNORE INTO used_tokens (provisioner, jti, subject, expires, used) VALUES (?, ?, ?, ?, ?)',
    );
    this.deleteExpired = db.prepare('DELETE FROM used_tokens WHERE expires < ?');
  }

  use(token: { provisioner: string; jti: string; subject: string; expiresAt: Date }): boolean {
    const result = this.insert.run(token.provisioner, token.jti, token.subject, token.expiresAt.getTime(), Date.now());
    return result.changes === 1;
  }

  /**
   * Forgets ids of tokens that expired before `before` (pass now minus the leeway: an expired token
   * is refused by its `exp` anyway). Returns how many were removed.
   */
  prune(before: Date): number {
    return this.deleteExpired.run(before.getTime()).changes;
  }
}
