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
  `CREATE TABLE revocations (
     serial      TEXT PRIMARY KEY,
     revoked_at  INTEGER NOT NULL,
     reason      INTEGER NOT NULL,
     revoked_by  TEXT NOT NULL,
     not_after   INTEGER NOT NULL
   );
   CREATE TABLE audit (
     id          INTEGER PRIMARY KEY AUTOINCREMENT,
     at          INTEGER NOT NULL,
     action      TEXT NOT NULL,
     outcome     TEXT NOT NULL,
     provisioner TEXT,
     actor       TEXT,
     subject     TEXT,
     sans        TEXT,
     serial      TEXT,
     detail      TEXT
   );
   CREATE INDEX audit_at ON audit (at);
   CREATE TABLE acme_accounts (
     id          TEXT PRIMARY KEY,
     provisioner TEXT NOT NULL,
     thumbprint  TEXT NOT NULL,
     jwk         TEXT NOT NULL,
     status      TEXT NOT NULL,
     contact     TEXT NOT NULL,
     eab_kid     TEXT,
     bound_uri   TEXT,
     created     INTEGER NOT NULL,
     UNIQUE (provisioner, thumbprint)
   );
   CREATE TABLE acme_orders (
     id          TEXT PRIMARY KEY,
     account     TEXT NOT NULL,
     provisioner TEXT NOT NULL,
     status      TEXT NOT NULL,
     identifiers TEXT NOT NULL,
     not_before  INTEGER,
     not_after   INTEGER,
     expires     INTEGER NOT NULL,
     certificate TEXT,
     error       TEXT,
     created     INTEGER NOT NULL
   );
   CREATE INDEX acme_orders_account ON acme_orders (account);
   CREATE TABLE acme_authzs (
     id          TEXT PRIMARY KEY,
     order_id    TEXT NOT NULL,
     account     TEXT NOT NULL,
     type        TEXT NOT NULL,
     value       TEXT NOT NULL,
     wildcard    INTEGER NOT NULL,
     status      TEXT NOT NULL,
     expires     INTEGER NOT NULL
   );
   CREATE INDEX acme_authzs_order ON acme_authzs (order_id);
   CREATE TABLE acme_challenges (
     id          TEXT PRIMARY KEY,
     authz       TEXT NOT NULL,
     type        TEXT NOT NULL,
     token       TEXT NOT NULL,
     status      TEXT NOT NULL,
     validated   INTEGER,
     error       TEXT
   );
   CREATE INDEX acme_challenges_authz ON acme_challenges (authz);
   CREATE TABLE acme_certificates (
     id          TEXT PRIMARY KEY,
     order_id    TEXT NOT NULL,
     account     TEXT NOT NULL,
     serial      TEXT NOT NULL,
     chain       TEXT NOT NULL
   );
   CREATE INDEX acme_certificates_serial ON acme_certificates (serial);
   CREATE TABLE acme_eab_keys (
     kid         TEXT PRIMARY KEY,
     provisioner TEXT NOT NULL,
     hmac        TEXT NOT NULL,
     bound_uri   TEXT,
     account     TEXT,
     created     INTEGER NOT NULL,
     expires     INTEGER NOT NULL
   );`,
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
