import { IdTracker } from './id-tracker.js';
import { pointIdKey, type PointId } from './point-id.js';
import { DenseVectorStorage, ObjectVectorStorage, type VectorColumn } from './vector-storage.js';
import { matches, type Filter, type PointView } from './filter.js';
import type { JsonObject } from './json-path.js';
import type { VectorValue } from './vector-value.js';

/** A point as stored: vectors by name (`''` is the default, unnamed vector). */
export interface StoredPoint {
  id: PointId;
  /** Number of the operation that last wrote it. */
  version: number;
  vectors: Map<string, VectorValue>;
  payload: JsonObject;
}

export type ColumnKind = VectorValue['kind'];

/**
 * The in-memory points of a collection: ids → slots, one vector column per vector name, payloads
 * and versions per slot. Payload objects are never changed in place once stored (a change stores a
 * new object), so readers and checkpoints may keep references to them.
 */
export class Segment {
  readonly ids = new IdTracker();
  readonly columns = new Map<string, VectorColumn>();
  private payloads: Array<JsonObject | undefined> = [];
  private versions: number[] = [];

  get pointCount(): number {
    return this.ids.size;
  }

  addColumn(name: string, kind: ColumnKind, dim: number): VectorColumn {
    const column = kind === 'dense' ? new DenseVectorStorage(dim, Math.max(64, this.ids.capacity)) : new ObjectVectorStorage(kind);
    this.columns.set(name, column);
    return column;
  }

  dropColumn(name: string): void {
    this.columns.delete(name);
  }

  dense(name: string): DenseVectorStorage | undefined {
    const c = this.columns.get(name);
    return c instanceof DenseVectorStorage ? c : undefined;
  }

  has(id: PointId): boolean {
    return this.ids.slotOf(id) !== undefined;
  }

  slotOf(id: PointId): number | undefined {
    return this.ids.slotOf(id);
  }

  /** The slot of `id`, allocated (with an empty payload) when the point is new. */
  assign(id: PointId): number {
    const { slot, created } = this.ids.assign(id);
    if (created) {
      for (const column of this.columns.values()) column.clear(slot);
      this.payloads[slot] = {};
      this.versions[slot] = 0;
    }
    return slot;
  }

  setVector(slot: number, name: string, vector: VectorValue | undefined, version: number): void {
    const column = this.columns.get(name);
    if (!column) return;
    if (vector) column.set(slot, vector, version);
    else column.clear(slot);
  }

  setPayload(slot: number, payload: JsonObject, version: number): void {
    this.payloads[slot] = payload;
    this.versions[slot] = version;
  }

  touch(slot: number, version: number): void {
    this.versions[slot] = version;
  }

  /** Removes a point; returns its former slot. */
  remove(id: PointId): number | undefined {
    const slot = this.ids.release(id);
    if (slot === undefined) return undefined;
    for (const column of this.columns.values()) column.clear(slot);
    this.payloads[slot] = undefined;
    return slot;
  }

  payloadAt(slot: number): JsonObject {
    return this.payloads[slot] ?? {};
  }

  versionAt(slot: number): number {
    return this.versions[slot] ?? 0;
  }

  /** Stored vectors of a slot (not copies), optionally only the given names. */
  vectorsAt(slot: number, names?: ReadonlySet<string>): Map<string, VectorValue> {
    const out = new Map<string, VectorValue>();
    for (const [name, column] of this.columns) {
      if (names && !names.has(name)) continue;
      const v = column.value(slot);
      if (v) out.set(name, v);
    }
    return out;
  }

  /** A filter predicate over slots (undefined filter → everything). Not re-entrant. */
  predicate(filter: Filter | undefined): (slot: number) => boolean {
    if (!filter) return () => true;
    const cursor = this.cursor();
    return (slot) => {
      cursor.slot = slot;
      return matches(filter, cursor);
    };
  }

  view(slot: number): PointView {
    const c = this.cursor();
    c.slot = slot;
    return c;
  }

  private cursor(): PointView & { slot: number } {
    const cursor = {
      slot: 0,
      payload: () => this.payloadAt(cursor.slot),
      idKey: () => pointIdKey(this.ids.idOf(cursor.slot)!),
      hasVector: (name: string) => this.columns.get(name)?.has(cursor.slot) ?? false,
    };
    return cursor;
  }
}
