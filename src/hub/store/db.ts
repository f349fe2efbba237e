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
