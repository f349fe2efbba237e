import type { Logger } from 'pino';
import type { HnswParams } from '../collection/config.js';
import type { IdTracker } from '../segment/id-tracker.js';
import type { DenseVectorStorage } from '../segment/vector-storage.js';
import { isCandidate, type Candidates } from './candidates.js';
import { similarity, type Distance } from './distance.js';
import { copySavedGraph, HnswGraph, type GraphSpace } from './hnsw-graph.js';
import { ScoredTop } from './scored-top.js';
import { searchThreads } from './search-threads.js';
import type { Candidate } from './top-k.js';

export interface DenseSearchParams {
  hnswEf?: number;
  exact?: boolean;
  indexedOnly?: boolean;
}

/** How long one background indexing slice may hold the event loop. */
const SLICE_MS = 12;
/** Quiet time before the graph is saved in the background. */
const SAVE_IDLE_MS = 3000;

/**
 * Nearest-neighbour search over the dense vectors of one name: an HNSW graph once the vectors
 * exceed the indexing threshold, exact scans below it, for `exact` requests, and for small
 * filtered candidate sets (below `full_scan_threshold`), like Qdrant's planner.
 *
 * The graph follows the storage in the background. A changed slot is "unsynced" at once (graph
 * searches skip it and it is scored exactly instead, so reads are always current); the graph takes
 * the change in short time slices, only after the change's operation is durable. `waitIndexed(op)`
 * resolves once every change up to `op` is in the graph (what `wait=true` waits for).
 */
export class DenseIndex {
  private graph: HnswGraph | undefined;
  /** slot → operation that last changed it, in operation order. */
  private readonly unsynced = new Map<number, number>();
  private unsyncedMask = new Uint8Array(1024);
  private durable = -1;
  private waiters: Array<{ op: number; resolve: () => void }> = [];
  private scheduled = false;
  /** Set by `start`: changes replayed while loading are reconciled then, not one by one. */
  private started = false;
  private closed = false;
  private changesSinceSave = 0;
  private saving: Promise<void> | undefined;
  private saveTimer: NodeJS.Timeout | undefined;
  /** A replacement graph being built in the background (vacuum, new parameters). */
  private rebuild: { graph: HnswGraph; cursor: number; dirty: Set<number> } | undefined;
  private readonly space: GraphSpace | undefined;
  private readonly dot: boolean;

  constructor(
    readonly name: string,
    private readonly storage: DenseVectorStorage,
    private readonly distance: Distance,
    private params: HnswParams,
    private readonly ids: IdTracker,
    private readonly dir: string,
    private readonly logger?: Logger,
  ) {
    this.space = distance === 'Euclid' ? 'l2' : distance === 'Manhattan' ? undefined : 'ip';
    this.dot = distance === 'Cosine' || distance === 'Dot';
  }

  /**
   * After the points are loaded: takes the saved graph if there is one with the same parameters,
   * and queues every slot whose vector differs from the graph's (or the whole storage when the
   * graph is new). `op` is the last operation applied (all of them durable).
   */
  start(op: number): void {
    this.started = true;
    this.durable = op;
    if (this.space && this.params.indexingThresholdKb > 0) {
      this.graph = HnswGraph.load(this.dir, this.graphParams(), this.logger);
      if (this.graph) {
        this.maybeReplicate(this.graph);
        const end = Math.max(this.ids.capacity, this.graph.slotCapacity);
        for (let slot = 0; slot < end; slot++) if (this.graph.versionAt(slot) !== this.storage.versionAt(slot)) this.mark(slot, op);
        this.logger?.info({ vector: this.name, graph: this.graph.size, queued: this.unsynced.size }, 'vector index loaded');
      } else {
        this.maybeEnable(op);
      }
    }
    this.schedule();
  }

  /** Records that a slot's vector changed (set or cleared) by operation `op`. */
  changed(slot: number, op: number): void {
    if (this.started && this.graph) this.mark(slot, op);
  }

  /** After an operation is applied: builds the graph once the vectors pass the indexing threshold. */
  applied(op: number): void {
    if (this.started && !this.graph) this.maybeEnable(op);
  }

  /** Operations up to `op` are durable: the graph may take their changes. */
  markDurable(op: number): void {
    if (op > this.durable) this.durable = op;
    this.schedule();
    this.resolveWaiters();
  }

  /** Resolves once every change up to `op` is in the graph (or there is no graph). */
  waitIndexed(op: number): Promise<void> {
    if (this.indexedOp() >= op) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ op, resolve }));
  }

  /** Vectors in the graph (Qdrant's `indexed_vectors_count`). */
  get indexedCount(): number {
    return this.graph?.size ?? 0;
  }

  /** Searches answered by the graph's replica threads. */
  replicaSearches = 0;

  /** Replica threads of the graph now running. */
  get replicaCount(): number {
    return this.graph?.replicaCount ?? 0;
  }

  /** Changes waiting for the graph. */
  get pendingCount(): number {
    return this.unsynced.size;
  }

  /** True while a replacement graph is being built (vacuum or new parameters). */
  get optimizing(): boolean {
    return this.rebuild !== undefined;
  }

  /** New parameters (PATCH): a different graph shape is rebuilt in the background while the old one serves. */
  reconfigure(params: HnswParams, op: number): void {
    const shapeChanged = params.m !== this.params.m || params.efConstruct !== this.params.efConstruct;
    this.params = params;
    if (!this.graph) this.maybeEnable(op);
    else if (shapeChanged) this.startRebuild();
    this.schedule();
  }

  /**
   * The best `top` slots for a preprocessed query among the candidates, raw scores (larger is
   * better, f32-rounded), best first.
   */
  search(query: Float32Array, top: number, candidates: Candidates | undefined, params: DenseSearchParams): Candidate[] {
    const graph = this.graph;
    const small = candidates !== undefined && candidates.estimate * this.storage.dim * 4 < this.params.fullScanThresholdKb * 1024;
    if (!graph || graph.size === 0 || params.exact || small) return this.exact(query, top, candidates);
    const ef = Math.max(params.hnswEf ?? this.params.efConstruct, top);
    const dirty = this.unsynced.size > 0;
    const um = this.unsyncedMask;
    const mask = candidates?.mask;
    const check = candidates?.check;
    const at = graph.labelSlots;
    // The filter runs per visited graph node: keep it to array reads.
    let allow: ((label: number) => boolean) | undefined;
    if (check) allow = (l) => (!dirty || um[at[l]!] === 0) && (!mask || mask[at[l]!] === 1) && check(at[l]!);
    else if (mask && dirty) allow = (l) => um[at[l]!] === 0 && mask[at[l]!] === 1;
    else if (mask) allow = (l) => mask[at[l]!] === 1;
    else if (dirty) allow = (l) => um[at[l]!] === 0;
    const best = this.rank(query, top, graph.search(query, top, ef, allow));
    if (dirty && !params.indexedOnly) {
      for (const slot of this.unsynced.keys()) {
        if (!this.storage.has(slot) || !this.ids.isLive(slot) || !isCandidate(candidates, slot)) continue;
        best.offer(slot, this.score(query, slot));
      }
    }
    return best.sorted();
  }

  /**
   * `search` without a filter on a replica thread of the graph when that is possible — no change
   * waiting for the graph, a replica not too busy —, else undefined (search synchronously).
   * When the graph changed while the replica searched, the search is done again here.
   */
  searchAsync(query: Float32Array, top: number, params: DenseSearchParams): Promise<Candidate[]> | undefined {
    const graph = this.graph;
    if (!graph || params.exact || this.unsynced.size > 0) return undefined;
    const ef = Math.max(params.hnswEf ?? this.params.efConstruct, top);
    return graph.searchOnReplica(query, top, ef, searchThreads.queueLimit)?.then((found) => {
      if (!found || this.graph !== graph || this.unsynced.size > 0) return this.search(query, top, undefined, params);
      this.replicaSearches++;
      return this.rank(query, top, found).sorted();
    });
  }

  /** The graph's answer scored from the stored vectors. */
  private rank(query: Float32Array, top: number, slots: number[]): ScoredTop {
    const best = new ScoredTop(top, (slot) => this.ids.idOf(slot)!);
    for (const slot of slots) {
      if (slot < 0 || !this.storage.has(slot)) continue;
      best.offer(slot, this.score(query, slot));
    }
    return best;
  }

  /** Exact top-k over the candidates (the filter's check runs only for would-be results). */
  exact(query: Float32Array, top: number, candidates: Candidates | undefined): Candidate[] {
    const best = new ScoredTop(top, (slot) => this.ids.idOf(slot)!);
    const check = candidates?.check;
    const visit = (slot: number) => {
      if (!this.storage.has(slot) || !this.ids.isLive(slot)) return;
      const raw = this.score(query, slot);
      if (best.wouldKeep(slot, raw) && (!check || check(slot))) best.offer(slot, raw);
    };
    if (candidates?.slots) {
      const slots = candidates.slots;
      for (let i = 0; i < slots.length; i++) visit(slots[i]!);
    } else if (candidates?.mask) {
      const mask = candidates.mask;
      for (let slot = 0; slot < mask.length; slot++) if (mask[slot] === 1) visit(slot);
    } else {
      const end = this.ids.capacity;
      for (let slot = 0; slot < end; slot++) visit(slot);
    }
    return best.sorted();
  }

  /** Raw similarity of the query and a stored vector (the dot product inlined for Cosine/Dot). */
  private score(query: Float32Array, slot: number): number {
    const { data, dim } = this.storage;
    if (!this.dot) return similarity(this.distance, query, data, slot * dim);
    let acc = 0;
    const off = slot * dim;
    for (let i = 0; i < dim; i++) acc += query[i]! * data[off + i]!;
    return acc;
  }

  /** Stops background work without saving (the collection is being deleted). */
  abandon(): void {
    this.closed = true;
    this.stopReplicas();
    if (this.saveTimer) clearTimeout(this.saveTimer);
    for (const w of this.waiters) w.resolve();
    this.waiters = [];
  }

  /** Saves the graph now if it changed since the last save (in the background; resolves when done). */
  async flush(): Promise<void> {
    while (this.saving) await this.saving;
    if (this.graph && this.changesSinceSave > 0 && !this.closed) {
      this.startSave(this.graph);
      while (this.saving) await this.saving;
    }
  }

  /** Saves the graph (when it changed) and copies the save into `dir` (snapshots). */
  async copySavedTo(dir: string): Promise<void> {
    await this.flush();
    copySavedGraph(this.dir, dir);
  }

  /** Stops background work and saves the graph if it changed since the last save began. */
  closeSync(): void {
    this.closed = true;
    this.stopReplicas();
    if (this.saveTimer) clearTimeout(this.saveTimer);
    if (this.graph && (this.changesSinceSave > 0 || this.saving)) {
      try {
        this.graph.saveSync(this.dir);
      } catch (err) {
        this.logger?.warn({ err, vector: this.name }, 'saving the vector index failed');
      }
    }
    for (const w of this.waiters) w.resolve();
    this.waiters = [];
  }

  private graphParams() {
    return { space: this.space!, dim: this.storage.dim, m: this.params.m, efConstruct: this.params.efConstruct };
  }

  private maybeEnable(op: number): void {
    if (!this.space || this.params.indexingThresholdKb <= 0) return;
    if (this.storage.size * this.storage.dim * 4 < this.params.indexingThresholdKb * 1024) return;
    this.graph = HnswGraph.create(this.graphParams(), Math.ceil(this.ids.capacity * 1.25));
    this.changesSinceSave = 1;
    for (let slot = 0; slot < this.ids.capacity; slot++) if (this.storage.has(slot)) this.mark(slot, op);
    this.logger?.info({ vector: this.name, vectors: this.storage.size }, 'building the vector index');
  }

  private mark(slot: number, op: number): void {
    this.unsynced.delete(slot);
    this.unsynced.set(slot, op);
    if (slot >= this.unsyncedMask.length) {
      const grown = new Uint8Array(Math.max(slot + 1, this.unsyncedMask.length * 2));
      grown.set(this.unsyncedMask);
      this.unsyncedMask = grown;
    }
    this.unsyncedMask[slot] = 1;
  }

  private indexedOp(): number {
    for (const op of this.unsynced.values()) return Math.min(this.durable, op - 1);
    return this.durable;
  }

  private resolveWaiters(): void {
    if (this.waiters.length === 0) return;
    const done = this.indexedOp();
    const still: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (w.op <= done) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }

  private schedule(): void {
    if (this.scheduled || this.closed || (this.unsynced.size === 0 && !this.rebuild)) return;
    this.scheduled = true;
    setImmediate(() => this.work());
  }

  /** One time slice of graph maintenance. */
  private work(): void {
    this.scheduled = false;
    const graph = this.graph;
    if (this.closed || !graph) return;
    const deadline = performance.now() + SLICE_MS;
    if (graph.saving) {
      // The graph is being written: only the replacement (if any) may change meanwhile.
      if (this.rebuild) this.rebuildStep(deadline);
      return;
    }
    let n = 0;
    for (const [slot, op] of this.unsynced) {
      if (op > this.durable) break;
      this.syncSlot(graph, slot);
      this.unsynced.delete(slot);
      this.unsyncedMask[slot] = 0;
      this.rebuild?.dirty.add(slot);
      this.changesSinceSave++;
      if ((++n & 7) === 0 && performance.now() > deadline) break;
    }
    this.resolveWaiters();
    if (this.rebuild) this.rebuildStep(deadline);
    else if (graph.deadCount >= Math.max(1, this.params.deletedThreshold * (graph.size + graph.deadCount)) && graph.size + graph.deadCount >= this.params.vacuumMinVectors) this.startRebuild();
    if (this.unsynced.size === 0 && this.changesSinceSave >= Math.min(1000, Math.max(1, graph.size * 0.01))) this.saveWhenIdle();
    this.schedule();
  }

  /** Makes the graph hold the slot's current (durable) vector, or nothing. */
  private syncSlot(graph: HnswGraph, slot: number): void {
    const v = this.storage.view(slot);
    if (v && this.ids.isLive(slot)) graph.add(slot, v, this.storage.versionAt(slot));
    else graph.remove(slot);
  }

  /**
   * Vacuum (Qdrant's optimizers): once replaced and deleted vectors make up `deleted_threshold`
   * of the graph, or the graph's shape parameters change, a new graph is built from the stored
   * vectors in the background; the old one serves until the new one has caught up, then the new
   * one takes its place in one assignment.
   */
  private startRebuild(): void {
    if (this.rebuild || !this.space) return;
    this.rebuild = { graph: HnswGraph.create(this.graphParams(), Math.ceil(this.ids.capacity * 1.25)), cursor: 0, dirty: new Set() };
    this.logger?.info({ vector: this.name, vectors: this.storage.size }, 'rebuilding the vector index');
  }

  private rebuildStep(deadline: number): void {
    const r = this.rebuild!;
    let n = 0;
    // A slot with a change that is not yet durable is left to the change (which marks it dirty).
    while (r.cursor < this.ids.capacity && performance.now() < deadline) {
      const slot = r.cursor++;
      if (!this.unsynced.has(slot) && this.storage.has(slot) && this.ids.isLive(slot)) this.syncSlot(r.graph, slot);
      if ((++n & 7) === 0 && performance.now() > deadline) return;
    }
    if (r.cursor < this.ids.capacity) return;
    for (const slot of r.dirty) {
      r.dirty.delete(slot);
      if (!this.unsynced.has(slot)) this.syncSlot(r.graph, slot);
      if ((++n & 7) === 0 && performance.now() > deadline) return;
    }
    if (this.graph?.saving) return;
    this.graph?.stopReplicas();
    this.graph = r.graph;
    this.rebuild = undefined;
    this.changesSinceSave = Math.max(1, this.changesSinceSave) + r.graph.size;
    this.logger?.info({ vector: this.name, vectors: r.graph.size }, 'vector index rebuilt');
  }

  /**
   * Saving pauses graph updates (the graph is written on a worker thread), so it waits for a quiet
   * moment: no change for `SAVE_IDLE_MS`. Under constant writes the graph is saved at close, and a
   * restart re-inserts only what changed since the last save.
   */
  private saveWhenIdle(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    const mark = this.changesSinceSave;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      const graph = this.graph;
      if (this.closed || !graph || this.saving || this.unsynced.size > 0 || this.changesSinceSave !== mark) return;
      this.startSave(graph);
    }, SAVE_IDLE_MS);
    this.saveTimer.unref();
  }

  /**
   * Gives a large graph a search replica on another thread (search-threads.ts). Called only while
   * the graph equals its last save: right after loading it or after a save.
   */
  private maybeReplicate(graph: HnswGraph): void {
    const wanted = searchThreads.replicas;
    if (wanted === 0 || this.closed || graph !== this.graph || graph.replicaCount >= wanted || graph.size < searchThreads.minVectors) return;
    try {
      graph.startReplicas(this.dir, wanted);
      this.logger?.info({ vector: this.name, vectors: graph.size, replicas: wanted }, 'search replicas started');
    } catch (err) {
      this.logger?.warn({ err, vector: this.name }, 'search replica not started');
    }
  }

  /** Only the serving graph ever has replicas (a rebuild's graph gets them after its first save). */
  private stopReplicas(): void {
    this.graph?.stopReplicas();
  }

  private startSave(graph: HnswGraph): void {
    const changes = this.changesSinceSave;
    this.changesSinceSave = 0;
    this.saving = graph
      .save(this.dir)
      .then(() => this.maybeReplicate(graph))
      .catch((err: unknown) => {
        this.changesSinceSave += changes;
        this.logger?.warn({ err, vector: this.name }, 'saving the vector index failed');
      })
      .finally(() => {
        this.saving = undefined;
        this.schedule();
      });
  }
}
