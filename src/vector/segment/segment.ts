import { IdTracker } from './id-tracker.js';
import { pointIdKey, type PointId } from './point-id.js';
import { DenseVectorStorage } from './vector-storage.js';
import { matches, type Filter, type PointView } from './filter.js';
import type { JsonObject } from './json-path.js';

/** A point as stored: vectors by name (`''` is the default, unnamed vector). */
export interface StoredPoint {
  id: PointId;
  /** Number of the operation that last wrote it. */
  version: number;
  vectors: Map<string, Float32Array>;
  payload: JsonObject;
}

/**
 * The in-memory points of a collection: ids → slots, one dense storage per vector name, parsed
 * payloads and versions per slot. Writes here happen only after they are durable (see
 * `collection/collection.ts`).
 */
export class Segment {
  readonly ids = new IdTracker();
  readonly vectors = new Map<string, DenseVectorStorage>();
  private payloads: Array<JsonObject | undefined> = [];
  private versions: number[] = [];

  constructor(vectorDims: ReadonlyMap<string, number>) {
    for (const [name, dim] of vectorDims) this.vectors.set(name, new DenseVectorStorage(dim));
  }

  get pointCount(): number {
    return this.ids.size;
  }

  has(id: PointId): boolean {
    return this.ids.slotOf(id) !== undefined;
  }

  /** Inserts or replaces the whole point. Vectors must already be preprocessed (normalised). */
  upsert(point: StoredPoint): void {
    const { slot } = this.ids.assign(point.id);
    for (const [name, storage] of this.vectors) {
      const v = point.vectors.get(name);
      if (v) storage.set(slot, v);
      else storage.clear(slot);
    }
    this.payloads[slot] = point.payload;
    this.versions[slot] = point.version;
  }

  /** Replaces the payload of an existing point. */
  setPayload(id: PointId, payload: JsonObject, version: number): void {
    const slot = this.ids.slotOf(id);
    if (slot === undefined) return;
    this.payloads[slot] = payload;
    this.versions[slot] = version;
  }

  delete(id: PointId): boolean {
    const slot = this.ids.release(id);
    if (slot === undefined) return false;
    for (const storage of this.vectors.values()) storage.clear(slot);
    this.payloads[slot] = undefined;
    return true;
  }

  payloadAt(slot: number): JsonObject {
    return this.payloads[slot] ?? {};
  }

  versionAt(slot: number): number {
    return this.versions[slot] ?? 0;
  }

  vectorsAt(slot: number, names?: ReadonlySet<string>): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    for (const [name, storage] of this.vectors) {
      if (names && !names.has(name)) continue;
      const v = storage.get(slot);
      if (v) out.set(name, v);
    }
    return out;
  }

  point(id: PointId): StoredPoint | undefined {
    const slot = this.ids.slotOf(id);
    if (slot === undefined) return undefined;
    return { id, version: this.versionAt(slot), vectors: this.vectorsAt(slot), payload: this.payloadAt(slot) };
  }

  /** A filter predicate over slots (undefined filter → everything). */
  predicate(filter: Filter | undefined): (slot: number) => boolean {
    if (!filter) return () => true;
    return (slot) => matches(filter, this.view(slot));
  }

  view(slot: number): PointView {
    return {
      payload: () => this.payloadAt(slot),
      idKey: () => pointIdKey(this.ids.idOf(slot)!),
      hasVector: (name) => this.vectors.get(name)?.has(slot) ?? false,
    };
  }
}
