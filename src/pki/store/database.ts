import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export type CaDatabase = Database.Database;

/**
 * Schema migrations, applied in order; `PRAGMA user_version` records how many have run.
 * Append new steps; never edit a released one.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE certificates (
     serial       TEXT PRIMARY KEY,
     subject      TEXT NOT NULL,
     sans         TEXT NOT NULL,
     provisioner  TEXT NOT NULL,
     not_before   INTEGER NOT NULL,
     not_after    INTEGER NOT NULL,
     lifetime_ms  INTEGER NOT NULL,
     created      INTEGER NOT NULL,
     how          TEXT NOT NULL CHECK (how IN ('sign', 'renew')),
     renewed_from TEXT,
     pem          TEXT NOT NULL
   );
   CREATE INDEX certificates_not_after ON certificates (not_after);
   CREATE TABLE used_tokens (
     provisioner TEXT NOT NULL,
     jti         TEXT NOT NULL,
     subject     TEXT NOT NULL,
     expires     INTEGER NOT NULL,
     used        INTEGER NOT NULL,
     PRIMARY KEY (provisioner, jti)
   );
   CREATE INDEX used_tokens_expires ON used_tokens (expires);`,
];

/** Opens (creating if needed) the CA's SQLite database and brings its schema up to date. */
export function openCaDatabase(file: string): CaDatabase {
  const fresh = file !== ':memory:' && !existsSync(file);
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const db = new Database(file);
  if (fresh) chmodSync(file, 0o600);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  const version = db.pragma('user_version', { simple: true }) as number;
  for (let i = version; i < MIGRATIONS.length; i++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[i] as string);
      db.pragma(`user_version = ${i + 1}`);
    })();
  }
  return db;
}
