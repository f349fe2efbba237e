import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { PhoenixError } from '../../core/errors.js';
import { postprocess, type Distance } from '../index/distance.js';
import type { Filter } from '../segment/filter.js';
import type { PointId } from '../segment/point-id.js';
import type { VectorValue } from '../segment/vector-value.js';
import { captureCheckpoint, loadCheckpoint } from './checkpoint.js';
import { checkpointWriter } from './checkpoint-writer.js';
import { DEFAULT_VECTOR, DEFAULT_WAL, type CollectionConfig } from './config.js';
import type { Operation, UpdateOptions, UpdateResult } from './operations.js';
import { PointStore } from './point-store.js';
import { Reader } from './reader.js';
import type { PointRecord } from './records.js';
import type { CollectionInfo, FacetHit, FacetRequest, PayloadIndexInfo, ReadOptions, ScoreRequest, ScrollRequest, SearchRequest } from './requests.js';
import { Searcher } from './searcher.js';
import { Shard } from './shard.js';
import type { StoredCollection, VectorStore } from './store.js';
import { prepareVector, specOf } from './vector-schema.js';
import { decodeOperation, encodeOperation } from './wal-codec.js';
import { Wal } from './wal.js';

export type { ReadOptions, ScrollRequest, SearchRequest, ScoreRequest, FacetRequest, FacetHit, CollectionInfo, PayloadIndexInfo } from './requests.js';

/** 500 after the operation log could not be written: the collection refuses further writes. */
export class CollectionFailedError extends PhoenixError {
  constructor(name: string, cause: Error) {
    super('VECTOR_COLLECTION_FAILED', 500, `Service internal error: collection \`${name}\` cannot write its operation log: ${cause.message}`);
  }
}

/**
 * One collection: its files (`points.db` checkpoint store, `wal/` operation log, `index/` saved
 * graphs) and its in-memory state (`Shard`). Every write is planned (validated, nothing changes if
 * invalid), appended to the log, applied in memory, and answered once the log record is durable
 * (`acknowledged`) or once the vector index holds it too (`completed`, with `wait`). Checkpoints
 * move applied points into the store and let the log go. Reads go to `Reader` and `Searcher`.
 */
export class Collection {
  private lastOp: number;
  private checkpointOp: number;
  private walBytes = 0;
  private checkpointScheduled = false;
  /** The checkpoint being written by the writer thread, and the point keys it carries. */
  private checkpointing: Promise<void> | undefined;
  private inFlight: string[] | undefined;
  private failure: PhoenixError | undefined;
  private closed = false;
  private readonly timer: NodeJS.Timeout;
  private readonly reader: Reader;
  private readonly searcher: Searcher;

  private constructor(
    readonly name: string,
    readonly dir: string,
    private readonly shard: Shard,
    private readonly store: PointStore,
    private readonly wal: Wal,
    checkpointOp: number,
    private readonly logger?: Logger,
  ) {
    this.lastOp = wal.lastOp;
    this.checkpointOp = checkpointOp;
    this.reader = new Reader(shard);
    this.searcher = new Searcher(shard, this.reader);
    const flushSeconds = Number(shard.config.options.optimizer_config.flush_interval_sec ?? 5) || 5;
    this.timer = setInterval(() => this.checkpointIfBehind(), flushSeconds * 1000);
    this.timer.unref();
  }

  /** The collection opened at start (engine wiring; see `VectorStore`). */
  static load(stored: StoredCollection, _store: VectorStore): Collection {
    return stored.collection;
  }

  /** Creates a collection's files and opens it (engine wiring; see `VectorStore`). */
  static create(name: string, config: CollectionConfig, store: VectorStore): Collection {
    return store.createCollection(name, config);
  }

  /** Opens the collection in `dir`: its checkpoint, then the log after it. */
  static open(dir: string, logger?: Logger): Collection {
    const store = PointStore.open(join(dir, 'points.db'));
    try {
      return Collection.openWith(dir, store, logger);
    } catch (err) {
      store.close();
      throw err;
    }
  }

  private static openWith(dir: string, store: PointStore, logger?: Logger): Collection {
    const stored = store.read();
    if (!stored) throw new Error(`no collection in ${dir}`);
    const shard = new Shard(stored.state.config, dir, logger);
    loadCheckpoint(shard, store, stored.state);
    const wal = Wal.open(join(dir, 'wal'), { segmentBytes: walSegmentBytes(stored.state.config), after: stored.checkpoint, ...(logger ? { logger } : {}) });
    let replayed = 0;
    for (const record of wal.read(stored.checkpoint + 1)) {
      try {
        shard.apply(shard.plan(decodeOperation(record.body)), record.op);
      } catch (err) {
        logger?.warn({ err, op: record.op, collection: stored.state.name }, 'operation could not be replayed; skipped');
      }
      replayed++;
    }
    for (const index of shard.dense.values()) index.start(wal.lastOp);
    const c = new Collection(stored.state.name, dir, shard, store, wal, stored.checkpoint, logger);
    logger?.info({ collection: c.name, points: shard.segment.pointCount, checkpoint: stored.checkpoint, replayed }, 'collection loaded');
    return c;
  }

  get config(): CollectionConfig {
    return this.shard.config;
  }

  /** Number of the last operation in the collection's log (replication compares positions with it). */
  get lastOperation(): number {
    return this.lastOp;
  }

  get pointsCount(): number {
    return this.shard.segment.pointCount;
  }

  /** True when the collection has a single unnamed vector. */
  get isSingleVector(): boolean {
    return this.shard.config.vectors.kind === 'single';
  }

  /** The distance of a dense vector name. */
  distanceOf(name = DEFAULT_VECTOR): Distance | undefined {
    const spec = this.shard.schema.get(name);
    return spec && spec.kind !== 'sparse' ? spec.distance : undefined;
  }

  info(): CollectionInfo {
    let indexed = 0;
    let pending = 0;
    for (const d of this.shard.dense.values()) {
      indexed += d.indexedCount;
      pending += d.pendingCount + (d.optimizing ? 1 : 0);
    }
    return {
      // Yellow while vectors wait for the graph or a graph is rebuilt (Qdrant: optimizing).
      status: this.failure ? 'red' : pending > 0 ? 'yellow' : 'green',
      optimizerStatus: this.failure ? { error: this.failure.message } : 'ok',
      pointsCount: this.shard.segment.pointCount,
      indexedVectorsCount: indexed,
      segmentsCount: 1,
      config: this.shard.config,
      payloadSchema: this.shard.payloadIndexes.schema(),
    };
  }

  /** Graphs with a search replica thread, and the searches those threads answered. */
  searchReplicaStats(): { replicas: number; searches: number } {
    let replicas = 0;
    let searches = 0;
    for (const d of this.shard.dense.values()) {
      replicas += d.replicaCount;
      searches += d.replicaSearches;
    }
    return { replicas, searches };
  }

  // ---- writes ----

  /**
   * Applies one operation: validated against the current state (an invalid one changes nothing and
   * uses no operation number), appended durably to the operation log, then applied. Resolves with
   * `acknowledged` after the durable append, or with `completed` after apply when `wait` is set.
   */
  async update(op: Operation, options: UpdateOptions = {}): Promise<UpdateResult> {
    if (this.failure) throw this.failure;
    if (this.closed) throw new Error(`collection ${this.name} is closed`);
    const changes = this.shard.plan(op);
    const operationId = this.lastOp + 1;
    const body = encodeOperation(op);
    const durable = this.wal.append(operationId, body);
    this.lastOp = operationId;
    try {
      this.shard.apply(changes, operationId);
    } catch (err) {
      this.fail(err);
      throw this.failure!;
    }
    this.walBytes += body.length;
    if (this.walBytes >= walSegmentBytes(this.shard.config)) this.scheduleCheckpoint();
    try {
      await durable;
    } catch (err) {
      if (this.closed) throw new Error(`collection ${this.name} closed before operation ${operationId} was durable`);
      this.fail(err);
      throw this.failure!;
    }
    for (const index of this.shard.dense.values()) index.markDurable(operationId);
    if (options.wait) await Promise.all([...this.shard.dense.values()].map((index) => index.waitIndexed(operationId)));
    return { operationId, status: options.wait ? 'completed' : 'acknowledged' };
  }

  private fail(err: unknown): void {
    const cause = err instanceof Error ? err : new Error(String(err));
    this.failure ??= new CollectionFailedError(this.name, cause);
    this.logger?.error({ err: cause, collection: this.name }, 'collection failed; writes are refused until restart');
  }

  private scheduleCheckpoint(): void {
    if (this.checkpointScheduled) return;
    this.checkpointScheduled = true;
    setImmediate(() => {
      this.checkpointScheduled = false;
      this.checkpointIfBehind();
    });
  }

  private checkpointIfBehind(): void {
    if (this.closed || this.failure || this.lastOp === this.checkpointOp || this.checkpointing) return;
    void this.checkpointInBackground();
  }

  /**
   * A checkpoint written by the writer thread: captured now (the points changed since the last
   * one), committed there; then the log before it goes. Concurrent calls share one.
   */
  private checkpointInBackground(): Promise<void> {
    if (this.checkpointing) return this.checkpointing;
    const op = this.lastOp;
    const keys = [...this.shard.dirty];
    this.shard.dirty.clear();
    const started = performance.now();
    const batch = captureCheckpoint(this.shard, this.name, op, keys);
    this.inFlight = keys;
    this.checkpointing = checkpointWriter
      .write(this.store.file, batch)
      .then(() => {
        if (this.closed) return;
        this.committed(op);
        this.logger?.debug({ collection: this.name, op, points: keys.length, ms: Math.round(performance.now() - started) }, 'checkpoint written');
      })
      .catch((err: unknown) => {
        for (const k of keys) this.shard.dirty.add(k); // written next time
        this.logger?.warn({ err, collection: this.name }, 'checkpoint failed; the operation log keeps everything');
      })
      .finally(() => {
        this.inFlight = undefined;
        this.checkpointing = undefined;
      });
    return this.checkpointing;
  }

  private committed(op: number): void {
    if (op <= this.checkpointOp) return;
    this.checkpointOp = op;
    this.walBytes = 0;
    this.wal.truncateBefore(op + 1);
  }

  /**
   * Writes a checkpoint now, on this thread (close, tests). A checkpoint still in the writer thread
   * is overtaken: its points are written here too, and the store keeps the later one.
   */
  checkpoint(): void {
    const op = this.lastOp;
    const keys = new Set([...this.shard.dirty, ...(this.inFlight ?? [])]);
    this.shard.dirty.clear();
    this.store.checkpoint(captureCheckpoint(this.shard, this.name, op, keys));
    this.committed(op);
  }

  /** Writes a checkpoint and saves the vector indexes now (instead of when writes pause). */
  async flush(): Promise<void> {
    if (this.closed) return;
    if (this.checkpointing) await this.checkpointing;
    if (this.lastOp !== this.checkpointOp) await this.checkpointInBackground();
    for (const index of this.shard.dense.values()) await index.flush();
  }

  // ---- reads ----

  search(request: SearchRequest): PointRecord[] {
    return this.searcher.search(request);
  }

  /** `search` with the graph search on another thread when possible; undefined when not (use `search`). */
  searchAsync(request: SearchRequest): Promise<PointRecord[]> | undefined {
    return this.searcher.searchAsync(request);
  }

  scoreAll(request: ScoreRequest): PointRecord[] {
    return this.searcher.scoreAll(request);
  }

  /** Calls `each` with the slot of every live point matching the filter, in no particular order. */
  forEachCandidate(filter: Filter | undefined, each: (slot: number) => void): void {
    this.reader.forEachCandidate(filter, each);
  }

  idAt(slot: number): PointId {
    return this.shard.segment.ids.idOf(slot)!;
  }

  /** The stored (preprocessed) vector of a slot, not a copy: do not change it. */
  vectorAt(slot: number, using: string): VectorValue | undefined {
    specOf(this.shard.schema, using);
    return this.shard.segment.columns.get(using)?.value(slot);
  }

  recordAt(slot: number, options: ReadOptions): PointRecord {
    return this.reader.record(slot, options);
  }

  /** The stored vector of a point (a copy), or undefined when the point or the vector is missing. */
  vectorOf(id: PointId, using: string): VectorValue | undefined {
    specOf(this.shard.schema, using);
    const slot = this.shard.segment.slotOf(id);
    return slot === undefined ? undefined : this.reader.vectorCopy(slot, using);
  }

  /** A query vector checked and preprocessed for a vector name (Cosine: unit length). */
  preprocess(using: string, vector: VectorValue): VectorValue {
    return prepareVector(using, specOf(this.shard.schema, using), vector);
  }

  /** Raw similarity of two preprocessed vectors by the name's metric; larger is better. */
  score(using: string, query: VectorValue, stored: VectorValue): number {
    return this.searcher.score(using, query, stored);
  }

  /** Qdrant's reported score of a raw similarity (the distance itself for Euclid/Manhattan). */
  reportScore(using: string, raw: number): number {
    const spec = specOf(this.shard.schema, using);
    return spec.kind === 'sparse' ? Math.fround(raw) : postprocess(spec.distance, raw);
  }

  retrieve(ids: PointId[], options: ReadOptions): PointRecord[] {
    return this.reader.retrieve(ids, options);
  }

  scroll(request: ScrollRequest): { points: PointRecord[]; nextOffset?: PointId } {
    return this.reader.scroll(request);
  }

  count(filter?: Filter): number {
    return this.reader.count(filter);
  }

  facet(request: FacetRequest): FacetHit[] {
    return this.reader.facet(request);
  }

  payloadSchema(): Record<string, PayloadIndexInfo> {
    return this.shard.payloadIndexes.schema();
  }

  // ---- files ----

  /**
   * Writes a consistent copy of the collection into `toDir` (created): a checkpoint of everything
   * applied, then the point store and the saved vector indexes. `Collection.open(toDir, …, name)`
   * (through the engine) restores it.
   */
  async snapshot(toDir: string): Promise<void> {
    mkdirSync(toDir, { recursive: true });
    if (this.checkpointing) await this.checkpointing;
    if (this.lastOp !== this.checkpointOp) await this.checkpointInBackground();
    const op = this.checkpointOp;
    await this.store.backupTo(join(toDir, 'points.db'));
    for (const [name, index] of this.shard.dense) await index.copySavedTo(this.shard.indexDir(name).replace(this.dir, toDir));
    writeFileSync(join(toDir, 'snapshot.json'), JSON.stringify({ name: this.name, operation: op, createdAt: new Date().toISOString() }));
  }

  /**
   * Stops background work and closes the files: a last checkpoint (so the next start replays
   * nothing) and the vector indexes saved. Synchronous; a log write still in flight fails, so its
   * operation is never acknowledged.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.wal.closeNow();
    if (!this.failure && this.lastOp !== this.checkpointOp) this.checkpoint();
    for (const index of this.shard.dense.values()) index.closeSync();
    this.store.close();
    checkpointWriter.release(this.store.file);
  }

  /** Like `close` without the last checkpoint or index save (the collection is being deleted). */
  drop(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    for (const index of this.shard.dense.values()) index.abandon();
    this.wal.closeNow();
    this.store.close();
    checkpointWriter.release(this.store.file);
  }
}

function walSegmentBytes(config: CollectionConfig): number {
  const mb = Number(config.options.wal_config.wal_capacity_mb ?? DEFAULT_WAL.wal_capacity_mb);
  return Math.max(1, mb) * 1024 * 1024;
}
