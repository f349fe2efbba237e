import type { Logger } from 'pino';
import type { Engine } from '../engine/engine.js';
import type { Applier } from './applier.js';
import type { AppliedMarker } from './applied-marker.js';
import { DivergedError } from './errors.js';
import type { ReplicationLog } from './log.js';
import { decodeRecord } from './mutation.js';
import type { ReplicaStateFile } from './state.js';

/**
 * Start of a member replica: replays its log from the persisted applied marker (records the
 * collections already hold are skipped one by one, so the replay is exact), then checks every
 * collection against the operation numbers its log holds. A collection further than its log is
 * the trace of a leader that crashed after applying a write and before logging it: the replica is
 * then `dirty` — its data follows no log, and it resyncs (or, elected anyway, starts a new log
 * generation that every follower copies by snapshot).
 */
export async function recoverFromLog(engine: Engine, log: ReplicationLog, state: ReplicaStateFile, applier: Applier, marker: AppliedMarker, logger: Logger): Promise<{ replayed: number; dirty: boolean }> {
  const cops = new Map(Object.entries(state.data.applied.cops));
  let from = Math.max(state.data.applied.seq + 1, log.startSeq);
  let replayed = 0;
  try {
    for (;;) {
      const batch = log.read(from, 16 * 1024 * 1024);
      if (batch.length === 0) break;
      for (const r of batch) {
        const record = decodeRecord(r.seq, r.body);
        const e = record.entry;
        if (e.kind === 'op') {
          marker.note(record.seq, e, applier.applyWrite(record));
          cops.set(e.collection, e.cop);
        } else {
          await applier.applyMeta(record);
          marker.note(record.seq, e);
          if (e.kind !== 'aliases') cops.delete(e.name);
        }
        replayed++;
        from = r.seq + 1;
      }
    }
  } catch (err) {
    if (!(err instanceof DivergedError)) throw err;
    logger.warn({ err: err.message }, 'the local log cannot be replayed onto the data: resync needed');
    return { replayed, dirty: true };
  }
  for (const name of engine.names()) {
    const expected = cops.get(name) ?? state.incarnation(name)?.base;
    const actual = engine.get(name).lastOperation;
    if (expected !== undefined && actual > expected) {
      logger.warn({ collection: name, logged: expected, applied: actual }, 'collection holds writes its replication log lacks (a crash of the leader between apply and log)');
      return { replayed, dirty: true };
    }
  }
  return { replayed, dirty: false };
}
