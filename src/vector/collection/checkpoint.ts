import { pointIdFromKey } from '../segment/point-id.js';
import type { Shard } from './shard.js';
import type { CheckpointBatch, CollectionState, PointStore } from './point-store.js';
import { decodeVectors, encodeVectors, type EncodedVector } from './vector-codec.js';

/**
 * Checkpoints: the points changed since the previous checkpoint, the state and the last applied
 * operation, captured at one moment (synchronously, so they are exactly the state after that
 * operation) and written in one transaction — by the writer thread, or at close on the calling
 * thread. Then the operation log before it can go. Loading reverses it: points back into their
 * slots, then the log is replayed.
 */
export function captureCheckpoint(shard: Shard, name: string, op: number, keys: Iterable<string>): CheckpointBatch {
  const { segment } = shard;
  const ids: string[] = [];
  const slots: number[] = [];
  const versions: number[] = [];
  const blobs: Buffer[] = [];
  const payloads: string[] = [];
  const deletes: string[] = [];
  let bytes = 0;
  for (const key of keys) {
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
    const blob = encodeVectors(vectors);
    ids.push(key);
    slots.push(slot);
    versions.push(segment.versionAt(slot));
    blobs.push(blob);
    payloads.push(JSON.stringify(segment.payloadAt(slot)));
    bytes += blob.length;
  }
  const packed = new Uint8Array(new ArrayBuffer(bytes));
  const offsets = new Uint32Array(blobs.length + 1);
  let at = 0;
  blobs.forEach((b, i) => {
    packed.set(b, at);
    at += b.length;
    offsets[i + 1] = at;
  });
  return { op, state: JSON.stringify(stateOf(shard, name)), ids, slots: Int32Array.from(slots), versions: Float64Array.from(versions), vectors: packed, offsets, payloads, deletes };
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
    shard.payloadIndexes.create(
      field,
      schema,
      (function* () {
        for (const slot of segment.ids.liveSlots()) yield [slot, segment.payloadAt(slot)] as [number, never];
      })(),
    );
  }
}
