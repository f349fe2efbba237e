import { pointIdFromKey } from '../segment/point-id.js';
import type { Shard } from './shard.js';
import type { CollectionState, PointRow, PointStore } from './point-store.js';
import { decodeVectors, encodeVectors, type EncodedVector } from './vector-codec.js';

/**
 * Checkpoints: the points changed since the previous checkpoint are written to the point store with
 * the state and the last applied operation, in one transaction; then the operation log before it
 * can go. Loading reverses it: points back into their slots, then the log is replayed.
 */
export function writeCheckpoint(shard: Shard, store: PointStore, name: string, op: number): { points: number } {
  const upserts: PointRow[] = [];
  const deletes: string[] = [];
  const { segment } = shard;
  for (const key of shard.dirty) {
    const slot = segment.ids.slotOfKey(key);
    if (slot === undefined) {
      deletes.push(key);
      continue;
    }
    const vectors = new Map<string, EncodedVector>();
    for (const [vectorName, column] of segment.columns) {
      const vector = column.value(slot);
      if (vector) vectors.set(vectorName, { vector, version: column.versionAt(slot) });
    }
    upserts.push({ id: key, slot, version: segment.versionAt(slot), vectors: encodeVectors(vectors), payload: JSON.stringify(segment.payloadAt(slot)) });
  }
  store.checkpoint(op, stateOf(shard, name), upserts, deletes);
  shard.dirty.clear();
  return { points: upserts.length + deletes.length };
}

export function stateOf(shard: Shard, name: string): CollectionState {
  return { name, config: shard.config, payloadIndexes: shard.payloadIndexes.definitions() };
}

/** Puts every checkpointed point back into its slot, then fills the payload and sparse indexes. */
export function loadCheckpoint(shard: Shard, store: PointStore, state: CollectionState): void {
  const { segment } = shard;
  for (const row of store.pointRows()) {
    const id = pointIdFromKey(row.id);
    segment.ids.place(id, row.slot);
    for (const [name, { vector, version }] of decodeVectors(row.vectors)) segment.setVector(row.slot, name, vector, version);
    segment.setPayload(row.slot, JSON.parse(row.payload) as never, row.version);
  }
  segment.ids.loaded();
  for (const [name, sparse] of shard.sparse) {
    const column = segment.columns.get(name)!;
    for (const slot of segment.ids.liveSlots()) {
      const v = column.value(slot);
      if (v?.kind === 'sparse') sparse.set(slot, v);
    }
  }
  for (const { field, schema } of state.payloadIndexes) {
    shard.payloadIndexes.create(field, schema, (function* () {
      for (const slot of segment.ids.liveSlots()) yield [slot, segment.payloadAt(slot)] as [number, never];
    })());
  }
}
