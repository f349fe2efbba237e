import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { PointNotFoundError, WrongInputError } from '../errors.js';
import { DenseIndex } from '../index/dense-index.js';
import { PayloadIndexes } from '../index/payload/payload-indexes.js';
import { SparseIndex } from '../index/sparse-index.js';
import type { Filter } from '../segment/filter.js';
import { cloneJson, isObject, parseJsonPath, removePath, setOwn, updateAt, type JsonObject, type JsonValue } from '../segment/json-path.js';
import { pointIdKey, type PointId } from '../segment/point-id.js';
import { Segment } from '../segment/segment.js';
import type { VectorValue } from '../segment/vector-value.js';
import { applyConfigPatch, hnswParams, type CollectionConfig } from './config.js';
import type { Operation, PointsSelection } from './operations.js';
import { prepareVector, specOf, vectorSchema, type VectorKindSpec } from './vector-schema.js';

/** The effect of an operation, computed (and validated) before anything changes. */
export type Change =
  | { kind: 'put'; id: PointId; vectors: Map<string, VectorValue>; payload: JsonObject }
  | { kind: 'payload'; id: PointId; payload: JsonObject }
  | { kind: 'vectors'; id: PointId; set: Map<string, VectorValue>; clear: string[] }
  | { kind: 'delete'; id: PointId }
  | { kind: 'meta'; apply: (version: number) => void };

/**
 * The in-memory state of a collection — config, points, payload indexes, vector indexes — and
 * the two steps of every operation: `plan` validates it and computes its changes without touching
 * anything (an invalid operation changes nothing), `apply` makes them. Both are deterministic, so
 * replaying the operation log from a checkpoint rebuilds the same state, slots included.
 */
export class Shard {
  readonly segment = new Segment();
  readonly payloadIndexes = new PayloadIndexes();
  readonly dense = new Map<string, DenseIndex>();
  readonly sparse = new Map<string, SparseIndex>();
  schema: Map<string, VectorKindSpec>;
  /** Points changed since the last checkpoint (id keys). */
  readonly dirty = new Set<string>();
  /** Bumped by every applied operation (cache key for filter plans). */
  generation = 0;

  constructor(
    public config: CollectionConfig,
    readonly dir: string,
    private readonly logger?: Logger,
  ) {
    this.schema = vectorSchema(config);
    for (const [name, spec] of this.schema) this.addVectorName(name, spec);
  }

  indexDir(name: string): string {
    return join(this.dir, 'index', Buffer.from(name, 'utf8').toString('hex') || '_default');
  }

  private addVectorName(name: string, spec: VectorKindSpec): void {
    this.segment.addColumn(name, spec.kind, spec.kind === 'sparse' ? 0 : spec.size);
    if (spec.kind === 'dense') {
      const storage = this.segment.dense(name)!;
      this.dense.set(name, new DenseIndex(name, storage, spec.distance, hnswParams(this.config, name), this.segment.ids, this.indexDir(name), this.logger));
    } else if (spec.kind === 'sparse') {
      this.sparse.set(name, new SparseIndex(spec.idf));
    }
  }

  predicate(filter: Filter | undefined): (slot: number) => boolean {
    return this.segment.predicate(filter);
  }

  // ---- plan ----

  plan(op: Operation): Change[] {
    switch (op.type) {
      case 'upsert': {
        const byId = new Map<string, Change>();
        const mode = op.updateMode ?? 'upsert';
        const keep = op.updateFilter ? this.predicate(op.updateFilter) : undefined;
        for (const p of op.points) {
          const vectors = this.prepareAll(p.vectors);
          const slot = this.segment.slotOf(p.id);
          if (slot !== undefined && (mode === 'insert_only' || (keep && !keep(slot)))) continue;
          if (slot === undefined && mode === 'update_only') continue;
          byId.set(pointIdKey(p.id), { kind: 'put', id: p.id, vectors, payload: p.payload });
        }
        return [...byId.values()];
      }
      case 'delete':
        return this.resolve(op.selection, false).map((id) => ({ kind: 'delete', id }));
      case 'set_payload':
        return this.payloadChanges(op.selection, (current) => {
          if (!op.key) return mergeInto(current, op.payload);
          updateAt(current, op.key, (at) => (isObject(at) ? mergeInto(at, op.payload) : cloneJson(op.payload)));
          return current;
        });
      case 'overwrite_payload':
        return this.payloadChanges(op.selection, (current) => {
          if (!op.key) return cloneJson(op.payload);
          updateAt(current, op.key, () => cloneJson(op.payload));
          return current;
        });
      case 'delete_payload':
        return this.payloadChanges(op.selection, (current) => {
          for (const key of op.keys) removePath(current, key);
          return current;
        });
      case 'clear_payload':
        return this.payloadChanges(op.selection, () => ({}));
      case 'update_vectors': {
        const keep = op.updateFilter ? this.predicate(op.updateFilter) : undefined;
        const out: Change[] = [];
        for (const p of op.points) {
          const slot = this.segment.slotOf(p.id);
          if (slot === undefined) throw new PointNotFoundError(p.id);
          const set = this.prepareAll(p.vectors);
          if (!keep || keep(slot)) out.push({ kind: 'vectors', id: p.id, set, clear: [] });
        }
        return out;
      }
      case 'delete_vectors': {
        for (const name of op.names) specOf(this.schema, name);
        return this.resolve(op.selection, true).map((id) => ({ kind: 'vectors', id, set: new Map(), clear: op.names }));
      }
      case 'create_payload_index': {
        const path = parseJsonPath(op.field);
        if ('error' in path) throw new WrongInputError(path.error, 'VECTOR_BAD_PATH');
        return [{ kind: 'meta', apply: () => this.payloadIndexes.create(op.field, op.schema, this.livePayloads()) }];
      }
      case 'delete_payload_index':
        return [{ kind: 'meta', apply: () => void this.payloadIndexes.drop(op.field) }];
      case 'create_vector': {
        if (this.schema.has(op.name)) throw new WrongInputError(`Vector with name \`${op.name}\` already exists`, 'VECTOR_NAME_EXISTS');
        return [{ kind: 'meta', apply: (version) => this.createVector(op, version) }];
      }
      case 'delete_vector': {
        specOf(this.schema, op.name);
        return [{ kind: 'meta', apply: () => this.deleteVector(op.name) }];
      }
      case 'update_config': {
        const next = applyConfigPatch(this.config, op.patch);
        return [{ kind: 'meta', apply: (version) => this.reconfigure(next, version) }];
      }
      default:
        return assertNever(op);
    }
  }

  private prepareAll(vectors: Map<string, VectorValue>): Map<string, VectorValue> {
    const out = new Map<string, VectorValue>();
    for (const [name, v] of vectors) out.set(name, prepareVector(name, specOf(this.schema, name), v));
    return out;
  }

  private payloadChanges(selection: PointsSelection, change: (current: JsonObject) => JsonObject): Change[] {
    return this.resolve(selection, true).map((id) => {
      const slot = this.segment.slotOf(id)!;
      return { kind: 'payload', id, payload: change(cloneJson(this.segment.payloadAt(slot))) };
    });
  }

  /** The existing ids a selection designates; with `mustExist`, a missing listed id is a 404. */
  private resolve(selection: PointsSelection, mustExist: boolean): PointId[] {
    if (selection.kind === 'filter') {
      const accept = this.predicate(selection.filter);
      const out: PointId[] = [];
      for (const slot of this.segment.ids.orderedSlots()) if (accept(slot)) out.push(this.segment.ids.idOf(slot)!);
      return out;
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

  private *livePayloads(): Generator<[number, JsonObject]> {
    for (const slot of this.segment.ids.liveSlots()) yield [slot, this.segment.payloadAt(slot)];
  }

  // ---- apply ----

  apply(changes: Change[], version: number): void {
    this.generation++;
    for (const c of changes) {
      switch (c.kind) {
        case 'put': {
          const slot = this.segment.assign(c.id);
          for (const name of this.schema.keys()) this.writeVector(slot, name, c.vectors.get(name), version);
          this.writePayload(slot, c.payload, version);
          break;
        }
        case 'payload':
          this.writePayload(this.segment.slotOf(c.id)!, c.payload, version);
          break;
        case 'vectors': {
          const slot = this.segment.slotOf(c.id)!;
          for (const [name, v] of c.set) this.writeVector(slot, name, v, version);
          for (const name of c.clear) this.writeVector(slot, name, undefined, version);
          this.segment.touch(slot, version);
          break;
        }
        case 'delete': {
          const slot = this.segment.slotOf(c.id)!;
          for (const name of this.schema.keys()) this.writeVector(slot, name, undefined, version);
          this.payloadIndexes.update(slot, undefined);
          this.segment.remove(c.id);
          break;
        }
        case 'meta':
          c.apply(version);
          break;
      }
      if (c.kind !== 'meta') this.dirty.add(pointIdKey(c.id));
    }
    for (const index of this.dense.values()) index.applied(version);
  }

  private writeVector(slot: number, name: string, v: VectorValue | undefined, version: number): void {
    const column = this.segment.columns.get(name);
    if (!column) return;
    if (!v && !column.has(slot)) return;
    this.segment.setVector(slot, name, v, version);
    this.dense.get(name)?.changed(slot, version);
    this.sparse.get(name)?.set(slot, v?.kind === 'sparse' ? v : undefined);
  }

  private writePayload(slot: number, payload: JsonObject, version: number): void {
    this.segment.setPayload(slot, payload, version);
    this.payloadIndexes.update(slot, payload);
  }

  private createVector(op: Extract<Operation, { type: 'create_vector' }>, version: number): void {
    const config = structuredClone(this.config);
    if (op.params.kind === 'sparse') {
      config.sparseVectors = { ...config.sparseVectors };
      Object.defineProperty(config.sparseVectors, op.name, { value: op.params.spec, enumerable: true, writable: true, configurable: true });
    } else {
      if (config.vectors.kind === 'single') config.vectors = { kind: 'named', specs: { '': config.vectors.spec } };
      Object.defineProperty(config.vectors.specs, op.name, { value: op.params.spec, enumerable: true, writable: true, configurable: true });
    }
    this.config = config;
    this.schema = vectorSchema(config);
    this.addVectorName(op.name, this.schema.get(op.name)!);
    this.dense.get(op.name)?.start(version - 1); // the operation itself is not durable yet
  }

  private deleteVector(name: string): void {
    const config = structuredClone(this.config);
    if (config.sparseVectors && Object.hasOwn(config.sparseVectors, name)) delete config.sparseVectors[name];
    else if (config.vectors.kind === 'named') delete config.vectors.specs[name];
    else config.vectors = { kind: 'named', specs: {} };
    for (const slot of this.segment.ids.liveSlots()) {
      if (this.segment.columns.get(name)?.has(slot)) this.dirty.add(pointIdKey(this.segment.ids.idOf(slot)!));
    }
    this.config = config;
    this.schema = vectorSchema(config);
    this.segment.dropColumn(name);
    const index = this.dense.get(name);
    this.dense.delete(name);
    this.sparse.delete(name);
    if (index) {
      index.abandon();
      rmSync(this.indexDir(name), { recursive: true, force: true });
    }
  }

  private reconfigure(next: CollectionConfig, version: number): void {
    this.config = next;
    for (const [name, index] of this.dense) index.reconfigure(hnswParams(next, name), version);
    for (const [name, spec] of vectorSchema(next)) {
      const sparse = this.sparse.get(name);
      if (sparse && spec.kind === 'sparse') sparse.idf = spec.idf;
    }
    this.schema = vectorSchema(next);
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
