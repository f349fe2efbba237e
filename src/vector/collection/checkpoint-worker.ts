/**
 * The checkpoint writer thread: takes checkpoint batches (flat arrays, transferred without
 * copying) and writes each in one SQLite transaction on its own connection, so the event loop of
 * the engine never waits for a checkpoint. One thread serves every collection of the process.
 */
import { parentPort } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { openPointsDb, writeCheckpointBatch, type CheckpointBatch } from './point-store.js';

export type CheckpointRequest = { type: 'write'; id: number; file: string; batch: CheckpointBatch } | { type: 'release'; file: string };
export type CheckpointReply = { id: number; written: boolean } | { id: number; error: string };

const open = new Map<string, Database.Database>();

parentPort!.on('message', (m: CheckpointRequest) => {
  if (m.type === 'release') {
    open.get(m.file)?.close();
    open.delete(m.file);
    return;
  }
  try {
    let db = open.get(m.file);
    if (!db) open.set(m.file, (db = openPointsDb(m.file, true)));
    parentPort!.postMessage({ id: m.id, written: writeCheckpointBatch(db, m.batch) } satisfies CheckpointReply);
  } catch (err) {
    parentPort!.postMessage({ id: m.id, error: err instanceof Error ? err.message : String(err) } satisfies CheckpointReply);
  }
});
