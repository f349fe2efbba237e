import { PointNotFoundError, WrongInputError } from '../errors.js';
import { postprocess, preprocess, similarity, type Distance } from '../index/distance.js';
import { ExactIndex } from '../index/exact-index.js';
import type { VectorIndex } from '../index/vector-index.js';
import type { Filter } from '../segment/filter.js';
import { cloneJson, isObject, removePath, setOwn, updateAt, type JsonObject, type JsonValue } from '../segment/json-path.js';
import { pointIdKey, type PointId } from '../segment/point-id.js';
import { Segment, type StoredPoint } from '../segment/segment.js';
import { DEFAULT_VECTOR, vectorSpecs, type CollectionConfig, type VectorSpec } from './config.js';
import type { Operation, PointsSelection, UpdateOptions, UpdateResult } from './operations.js';
import { selectPayload, type PointRecord } from './records.js';
import type { CollectionInfo, FacetHit, FacetRequest, PayloadIndexInfo, ReadOptions, ScoreRequest, ScrollRequest, SearchRequest } from './requests.js';
import type { ChangeSet, StoredCollection, VectorStore } from './store.js';
import { dense, type VectorValue } from '../segment/vector-value.js';

export type { ReadOptions, ScrollRequest, SearchRequest, ScoreRequest, FacetRequest, FacetHit, CollectionInfo, PayloadIndexInfo } from './requests.js';


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
    return { status: 'green', optimizerStatus: 'ok', pointsCount: this.segment.pointCount, indexedVectorsCount: 0, segmentsCount: 1, config: this.config, payloadSchema: {} };
  }

  // ---- writes ----

  /**
   * Applies one operation: validated against the current state (an invalid one changes nothing and
   * uses no operation number), appended durably to the operation log, then applied. Resolves with
   * `acknowledged` after the durable append, or with `completed` after apply when `wait` is set.
   */
  async update(op: Operation, options: UpdateOptions = {}): Promise<UpdateResult> {
    const { operationId } = this.applyNow(op);
    return { operationId, status: options.wait ? 'completed' : 'acknowledged' };
  }

  private applyNow(op: Operation): { operationId: number } {
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
      case 'update_vectors':
      case 'delete_vectors':
      case 'create_payload_index':
      case 'delete_payload_index':
      case 'create_vector':
      case 'delete_vector':
      case 'update_config':
        throw new Error(`${op.type} is not implemented yet`);
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
  private prepareVectors(vectors: Map<string, VectorValue>): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    for (const [name, v] of vectors) {
      if (v.kind !== 'dense') throw new WrongInputError(`Wrong vector type for ${name}`, 'VECTOR_KIND');
      out.set(name, preprocess(this.checkDimension(name, v.values).distance, v.values));
    }
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

  /** Nearest neighbours of a query vector, best first, with Qdrant's reported scores. */
  search(request: SearchRequest): PointRecord[] {
    const spec = this.spec(request.using);
    if (request.vector.kind !== 'dense') throw new WrongInputError(`Wrong vector type for ${request.using}`, 'VECTOR_KIND');
    const raw = request.vector.values;
    this.checkDimension(request.using, raw);
    const accept = this.segment.predicate(request.filter);
    const excluded = new Set((request.excludeIds ?? []).map(pointIdKey));
    const query = preprocess(spec.distance, raw);
    const offset = request.offset ?? 0;
    const hits = this.indexes.get(request.using)!.search({
      query,
      top: offset + request.limit,
      accept: excluded.size === 0 ? accept : (slot) => !excluded.has(pointIdKey(this.segment.ids.idOf(slot)!)) && accept(slot),
      ...(request.scoreThreshold !== undefined ? { scoreThreshold: request.scoreThreshold } : {}),
    });
    return hits.slice(offset).map((h) => ({ ...this.record(h.slot, request), score: h.score }));
  }

  /** Exact top-k by a caller-given score over the candidates of a filter. */
  scoreAll(_request: ScoreRequest): PointRecord[] {
    throw new Error('scoreAll is not implemented yet');
  }

  /** Calls `each` with the slot of every live point matching the filter, in no particular order. */
  forEachCandidate(filter: Filter | undefined, each: (slot: number) => void): void {
    const accept = this.segment.predicate(filter);
    for (const slot of this.segment.ids.liveSlots()) if (accept(slot)) each(slot);
  }

  idAt(slot: number): PointId {
    return this.segment.ids.idOf(slot)!;
  }

  /** The stored (preprocessed) vector of a slot, not a copy: do not change it. */
  vectorAt(slot: number, using: string): VectorValue | undefined {
    const v = this.segment.vectors.get(using)?.get(slot);
    return v ? dense(v) : undefined;
  }

  recordAt(slot: number, options: ReadOptions): PointRecord {
    return this.record(slot, options);
  }

  /** The stored vector of a point (a copy), or undefined when the point or the vector is missing. */
  vectorOf(id: PointId, using: string): VectorValue | undefined {
    this.spec(using);
    const slot = this.segment.ids.slotOf(id);
    return slot === undefined ? undefined : this.vectorAt(slot, using);
  }

  /** Query preprocessing of a vector name (Cosine: unit length). */
  preprocess(using: string, vector: VectorValue): VectorValue {
    const spec = this.spec(using);
    return vector.kind === 'dense' ? dense(preprocess(spec.distance, vector.values)) : vector;
  }

  /** Raw similarity of two preprocessed vectors by the name's metric; larger is better. */
  score(using: string, query: VectorValue, stored: VectorValue): number {
    const spec = this.spec(using);
    if (query.kind !== 'dense' || stored.kind !== 'dense') throw new WrongInputError(`Wrong vector type for ${using}`, 'VECTOR_KIND');
    return similarity(spec.distance, query.values, stored.values, 0);
  }

  /** Qdrant's reported score of a raw similarity (the distance itself for Euclid/Manhattan). */
  reportScore(using: string, raw: number): number {
    return postprocess(this.spec(using).distance, raw);
  }

  facet(_request: FacetRequest): FacetHit[] {
    throw new Error('facet is not implemented yet');
  }

  payloadSchema(): Record<string, PayloadIndexInfo> {
    return {};
  }

  private record(slot: number, options: ReadOptions): PointRecord {
    const rec: PointRecord = { id: this.segment.ids.idOf(slot)!, version: this.segment.versionAt(slot) };
    const payload = selectPayload(this.segment.payloadAt(slot), options.withPayload);
    if (payload) rec.payload = payload;
    if (options.withVector.kind !== 'none') {
      const vectors = new Map<string, VectorValue>();
      for (const [name, v] of this.segment.vectorsAt(slot, options.withVector.kind === 'names' ? options.withVector.names : undefined)) vectors.set(name, dense(v));
      rec.vectors = vectors;
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
