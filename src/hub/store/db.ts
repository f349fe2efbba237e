import Database from 'better-sqlite3';
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type HubDatabase = Database.Database;

/** Schema migrations, applied in order; `PRAGMA user_version` records how many ran. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE users (
     username TEXT PRIMARY KEY,
     password_hash TEXT NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE TABLE sessions (
     token_hash TEXT PRIMARY KEY,
     username TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL
   );
   CREATE INDEX sessions_expiry ON sessions(expires_at);
   CREATE TABLE stack_versions (
     name TEXT NOT NULL,
     version INTEGER NOT NULL,
     yaml TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     PRIMARY KEY (name, version)
   );
   CREATE TABLE agents (
     name TEXT PRIMARY KEY,
     version TEXT NOT NULL,
     hostname TEXT NOT NULL,
     platform TEXT NOT NULL,
     cpus INTEGER NOT NULL,
     memory_bytes INTEGER NOT NULL,
     advertise_address TEXT NOT NULL,
     sync_interval_ms INTEGER,
     first_seen_at INTEGER NOT NULL,
     last_heartbeat_at INTEGER NOT NULL
   );
   CREATE TABLE assignments (
     instance_id TEXT PRIMARY KEY,
     stack TEXT NOT NULL,
     service TEXT NOT NULL,
     agent TEXT NOT NULL,
     assigned_at INTEGER NOT NULL
   );
   CREATE TABLE instances (
     id TEXT NOT NULL,
     agent TEXT NOT NULL,
     state TEXT NOT NULL,
     pid INTEGER,
     url TEXT,
     restarts INTEGER NOT NULL,
     started_at INTEGER,
     last_report_at INTEGER NOT NULL,
     PRIMARY KEY (id, agent)
   );`,
  // Roles, API tokens, audit, enrollment, deployments (slots and rollouts), revocations, extended agent facts.
  `ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'admin';
   ALTER TABLE users ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;
   CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE api_tokens (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     username TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
     role TEXT NOT NULL,
     secret_hash TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     expires_at INTEGER,
     last_used_at INTEGER
   );
   CREATE TABLE audit (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     at INTEGER NOT NULL,
     actor TEXT NOT NULL,
     actor_kind TEXT NOT NULL,
     action TEXT NOT NULL,
     target TEXT,
     outcome TEXT NOT NULL,
     status INTEGER,
     client TEXT,
     user_agent TEXT,
     detail TEXT
   );
   CREATE INDEX audit_at ON audit(at);
   ALTER TABLE stack_versions ADD COLUMN author TEXT;
   ALTER TABLE stack_versions ADD COLUMN note TEXT;
   CREATE TABLE stack_settings (
     name TEXT PRIMARY KEY,
     webhook_hash TEXT,
     webhook_created_at INTEGER,
     generation INTEGER NOT NULL DEFAULT 0
   );
   CREATE TABLE slots (
     instance_id TEXT PRIMARY KEY,
     stack TEXT NOT NULL,
     service TEXT NOT NULL,
     version INTEGER NOT NULL,
     spec_hash TEXT NOT NULL,
     draining_since INTEGER,
     retiring INTEGER NOT NULL DEFAULT 0
   );
   CREATE TABLE rollouts (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     stack TEXT NOT NULL,
     from_version INTEGER,
     to_version INTEGER NOT NULL,
     kind TEXT NOT NULL,
     state TEXT NOT NULL,
     detail TEXT NOT NULL DEFAULT '',
     pending TEXT NOT NULL,
     current TEXT NOT NULL,
     done TEXT NOT NULL,
     step_started_at INTEGER,
     started_at INTEGER NOT NULL,
     finished_at INTEGER,
     actor TEXT NOT NULL
   );
   CREATE TABLE enrollment_tokens (
     id TEXT PRIMARY KEY,
     secret_hash TEXT NOT NULL UNIQUE,
     agent_name TEXT,
     created_by TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL,
     used_at INTEGER,
     used_by TEXT,
     used_from TEXT
   );
   CREATE TABLE revoked_certificates (
     serial TEXT PRIMARY KEY,
     subject TEXT,
     revoked_at INTEGER NOT NULL,
     reason TEXT NOT NULL,
     revoked_by TEXT NOT NULL
   );
   ALTER TABLE agents ADD COLUMN facts TEXT;
   ALTER TABLE agents ADD COLUMN cert_serial TEXT;
   ALTER TABLE agents ADD COLUMN cert_not_after INTEGER;
   ALTER TABLE agents ADD COLUMN refused_at INTEGER;
   ALTER TABLE agents ADD COLUMN refused_reason TEXT;
   ALTER TABLE instances ADD COLUMN extra TEXT;`,
];

/** Opens (creating if needed) the hub's SQLite database, mode 0600, and migrates it. */
export function openHubDatabase(file: string): HubDatabase {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  chmodSync(dirname(file), 0o700); // the database, its WAL and its journal hold secrets (hashes, sessions)
  const db = new Database(file);
  chmodSync(file, 0o600);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let i = current; i < MIGRATIONS.length; i++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[i] as string);
      db.pragma(`user_version = ${i + 1}`);
    })();
  }
  return db;
}
