import { PointNotFoundError, VectorNotFoundError, WrongInputError } from '../errors.js';
import { preprocess, type Distance } from '../index/distance.js';
import { ExactIndex } from '../index/exact-index.js';
import type { VectorIndex } from '../index/vector-index.js';
import type { Filter } from '../segment/filter.js';
import { cloneJson, isObject, removePath, setOwn, updateAt, type JsonObject, type JsonValue } from '../segment/json-path.js';
import { pointIdKey, type PointId } from '../segment/point-id.js';
import { Segment, type StoredPoint } from '../segment/segment.js';
import { DEFAULT_VECTOR, vectorSpecs, type CollectionConfig, type VectorSpec } from './config.js';
import type { Operation, PointsSelection, UpdateResult } from './operations.js';
import { selectPayload, type PayloadSelector, type PointRecord, type VectorSelector } from './records.js';
import type { ChangeSet, StoredCollection, VectorStore } from './store.js';

export interface ReadOptions {
  withPayload: PayloadSelector;
  withVector: VectorSelector;
}

export interface ScrollRequest extends ReadOptions {
  offset?: PointId;
  limit: number;
  filter?: Filter;
}

export interface QueryRequest extends ReadOptions {
  /** Vector name (`''` = default). */
  using: string;
  /** Nearest to this raw vector, or to the stored vector of a point (which is then excluded). */
  nearest?: { vector: Float32Array } | { id: PointId };
  filter?: Filter;
  limit: number;
  offset: number;
  scoreThreshold?: number;
}

export interface CollectionInfo {
  pointsCount: number;
  indexedVectorsCount: number;
  segmentsCount: number;
  config: CollectionConfig;
}

/**
 * One collection: its config, its in-memory points, and durable application of operations.
 * An operation is validated and resolved against the current state, its effect is committed to
 * the store in one transaction, and only then applied in memory — so a failing or invalid
 * operation changes nothing, and an answered one survives a crash.
 */
export class Collection {
  private readonly segment: Segment;
  private readonly specs: Map<string, VectorSpec>;
  private readonly indexes = new Map<string, VectorIndex>();

  private constructor(
    readonly name: string,
    readonly config: CollectionConfig,
    private readonly store: VectorStore,
    private lastOperation: number,
  ) {
    this.specs = vectorSpecs(config);
    this.segment = new Segment(new Map([...this.specs].map(([n, s]) => [n, s.size])));
    for (const [vectorName, spec] of this.specs) {
      const storage = this.segment.vectors.get(vectorName)!;
      this.indexes.set(vectorName, new ExactIndex(storage, spec.distance, () => this.segment.ids.liveSlots(), (slot) => this.segment.ids.idOf(slot)!));
    }
  }

  static create(name: string, config: CollectionConfig, store: VectorStore): Collection {
    store.createCollection(name, config);
    return new Collection(name, config, store, -1);
  }

  static load(stored: StoredCollection, store: VectorStore): Collection {
    const c = new Collection(stored.name, stored.config, store, stored.lastOperation);
    store.loadPoints(stored.name, (p) => c.segment.upsert(p));
    return c;
  }

  get pointsCount(): number {
    return this.segment.pointCount;
  }

  info(): CollectionInfo {
    return { pointsCount: this.segment.pointCount, indexedVectorsCount: 0, segmentsCount: 1, config: this.config };
  }

  // ---- writes ----

  apply(op: Operation): UpdateResult {
    const operationId = this.lastOperation + 1;
    const changes = this.plan(op, operationId);
    this.store.commit(this.name, operationId, changes);
    this.lastOperation = operationId;
    for (const p of changes.points ?? []) this.segment.upsert(p);
    for (const p of changes.payloads ?? []) this.segment.setPayload(p.id, p.payload, p.version);
    for (const id of changes.deletes ?? []) this.segment.delete(id);
    return { operationId };
  }

  /** Validates an operation and computes its effect without changing anything. */
  private plan(op: Operation, version: number): ChangeSet {
    switch (op.type) {
      case 'upsert': {
        const byId = new Map<string, StoredPoint>();
        for (const p of op.points) byId.set(pointIdKey(p.id), { id: p.id, version, vectors: this.prepareVectors(p.vectors), payload: p.payload });
        return { points: [...byId.values()] };
      }
      case 'delete':
        return { deletes: this.resolve(op.selection, false) };
      case 'set_payload':
        return this.payloadChanges(op.selection, version, (current) => {
          if (!op.key) return mergeInto(current, op.payload);
          updateAt(current, op.key, (at) => (isObject(at) ? mergeInto(at, op.payload) : cloneJson(op.payload)));
          return current;
        });
      case 'overwrite_payload':
        return this.payloadChanges(op.selection, version, (current) => {
          if (!op.key) return cloneJson(op.payload);
          updateAt(current, op.key, () => cloneJson(op.payload));
          return current;
        });
      case 'delete_payload':
        return this.payloadChanges(op.selection, version, (current) => {
          for (const key of op.keys) removePath(current, key);
          return current;
        });
      case 'clear_payload':
        return this.payloadChanges(op.selection, version, () => ({}));
      default:
        return assertNever(op);
    }
  }

  private payloadChanges(selection: PointsSelection, version: number, change: (current: JsonObject) => JsonObject): ChangeSet {
    const payloads = this.resolve(selection, true).map((id) => {
      const slot = this.segment.ids.slotOf(id)!;
      return { id, payload: change(cloneJson(this.segment.payloadAt(slot))), version };
    });
    return { payloads };
  }

  /** The existing ids a selection designates; with `mustExist`, a missing listed id is a 404. */
  private resolve(selection: PointsSelection, mustExist: boolean): PointId[] {
    if (selection.kind === 'filter') {
      const accept = this.segment.predicate(selection.filter);
      return this.segment.ids.orderedSlots().filter(accept).map((slot) => this.segment.ids.idOf(slot)!);
    }
    const out = new Map<string, PointId>();
    for (const id of selection.ids) {
      if (!this.segment.has(id)) {
        if (mustExist) throw new PointNotFoundError(id);
        continue;
      }
      out.set(pointIdKey(id), id);
    }
    return [...out.values()];
  }

  /** Checks names and dimensions and normalises (Cosine) every vector of a point. */
  private prepareVectors(vectors: Map<string, Float32Array>): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    for (const [name, v] of vectors) out.set(name, preprocess(this.checkDimension(name, v).distance, v));
    return out;
  }

  private spec(name: string): VectorSpec {
    const spec = this.specs.get(name);
    if (!spec) throw new WrongInputError(`Not existing vector name error: ${name}`, 'VECTOR_NAME_UNKNOWN');
    return spec;
  }

  private checkDimension(name: string, v: Float32Array): VectorSpec {
    const spec = this.spec(name);
    if (v.length !== spec.size) throw new WrongInputError(`Vector dimension error: expected dim: ${spec.size}, got ${v.length}`, 'VECTOR_DIMENSION');
    return spec;
  }

  // ---- reads ----

  retrieve(ids: PointId[], options: ReadOptions): PointRecord[] {
    const seen = new Set<string>();
    const out: PointRecord[] = [];
    for (const id of ids) {
      const key = pointIdKey(id);
      if (seen.has(key)) continue;
      seen.add(key);
      const slot = this.segment.ids.slotOf(id);
      if (slot !== undefined) out.push(this.record(slot, options));
    }
    return out;
  }

  scroll(request: ScrollRequest): { points: PointRecord[]; nextOffset?: PointId } {
    const order = this.segment.ids.orderedSlots();
    const accept = this.segment.predicate(request.filter);
    const points: PointRecord[] = [];
    for (let i = request.offset === undefined ? 0 : this.segment.ids.lowerBound(request.offset); i < order.length; i++) {
      const slot = order[i]!;
      if (!accept(slot)) continue;
      if (points.length === request.limit) return { points, nextOffset: this.segment.ids.idOf(slot)! };
      points.push(this.record(slot, request));
    }
    return { points };
  }

  count(filter?: Filter): number {
    if (!filter) return this.segment.pointCount;
    const accept = this.segment.predicate(filter);
    let n = 0;
    for (const slot of this.segment.ids.liveSlots()) if (accept(slot)) n++;
    return n;
  }

  query(request: QueryRequest): PointRecord[] {
    const accept = this.segment.predicate(request.filter);
    if (!request.nearest) {
      // No query: points in id order, like scroll, with score 0.
      const out: PointRecord[] = [];
      let skip = request.offset;
      for (const slot of this.segment.ids.orderedSlots()) {
        if (out.length === request.limit) break;
        if (!accept(slot)) continue;
        if (skip > 0) {
          skip--;
          continue;
        }
        out.push({ ...this.record(slot, request), score: 0 });
      }
      return out;
    }
    const spec = this.spec(request.using);
    let raw: Float32Array;
    let exclude: string | undefined;
    if ('vector' in request.nearest) {
      raw = request.nearest.vector;
      this.checkDimension(request.using, raw);
    } else {
      const id = request.nearest.id;
      const slot = this.segment.ids.slotOf(id);
      if (slot === undefined) throw new PointNotFoundError(id);
      const stored = this.segment.vectors.get(request.using)!.get(slot);
      if (!stored) throw new VectorNotFoundError(`Vector with name ${JSON.stringify(request.using)} for point not found`);
      raw = stored;
      exclude = pointIdKey(id);
    }
    const query = preprocess(spec.distance, raw);
    const index = this.indexes.get(request.using)!;
    const hits = index.search({
      query,
      top: request.offset + request.limit,
      accept: exclude === undefined ? accept : (slot) => pointIdKey(this.segment.ids.idOf(slot)!) !== exclude && accept(slot),
      ...(request.scoreThreshold !== undefined ? { scoreThreshold: request.scoreThreshold } : {}),
    });
    return hits.slice(request.offset).map((h) => ({ ...this.record(h.slot, request), score: h.score }));
  }

  private record(slot: number, options: ReadOptions): PointRecord {
    const rec: PointRecord = { id: this.segment.ids.idOf(slot)!, version: this.segment.versionAt(slot) };
    const payload = selectPayload(this.segment.payloadAt(slot), options.withPayload);
    if (payload) rec.payload = payload;
    if (options.withVector.kind !== 'none') {
      rec.vectors = this.segment.vectorsAt(slot, options.withVector.kind === 'names' ? options.withVector.names : undefined);
    }
    return rec;
  }

  /** True when the collection has a single unnamed vector. */
  get isSingleVector(): boolean {
    return this.config.vectors.kind === 'single';
  }

  /** The distance of a vector name (used by tests and the API for ordering checks). */
  distanceOf(name = DEFAULT_VECTOR): Distance | undefined {
    return this.specs.get(name)?.distance;
  }
}

/** Top-level merge of `update` into `target` (Qdrant set_payload). */
function mergeInto(target: JsonObject, update: JsonObject): JsonObject {
  for (const [k, v] of Object.entries(update)) setOwn(target, k, cloneJson(v as JsonValue));
  return target;
}

function assertNever(x: never): never {
  throw new Error(`unexpected operation ${JSON.stringify(x)}`);
}
