import { closeSync, copyFileSync, linkSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import hnswlib from 'hnswlib-node';
import type { Logger } from 'pino';
import { GraphReplica } from './graph-replica.js';

/**
 * One HNSW graph (hnswlib-node) over the dense vectors of one name. Graph labels are its own:
 * every insertion takes a fresh label, and a changed or deleted vector's old label is only
 * marked deleted — a moved vector is inserted anew (which keeps the graph's quality, unlike
 * repairing a node in place) and dead labels are dropped when the graph is rebuilt (vacuum).
 * Each label remembers its slot and the version of the vector it was built from; the graph is
 * persisted with both, so on load a label whose version no longer matches the stored vector is
 * re-inserted and restarts never rebuild from scratch.
 *
 * Spaces: `ip` (Cosine on unit vectors, Dot: distance = 1 − dot) and `l2` (squared Euclid).
 * Mutations (add/remove) must not run while an asynchronous save is in progress.
 */
export type GraphSpace = 'ip' | 'l2';

export interface GraphParams {
  space: GraphSpace;
  dim: number;
  m: number;
  efConstruct: number;
}

interface GraphMeta extends GraphParams {
  generation: number;
  graphBytes: number;
  labels: number;
}

const GROWTH = 2;

export class HnswGraph {
  private readonly index: hnswlib.HierarchicalNSW;
  private readonly scratch: number[];
  /** label → slot (-1: dead or unused) and label → vector version. */
  private slotOf: Int32Array;
  private versions: Float64Array;
  /** slot → its live label (-1: none). */
  private labelOf: Int32Array;
  private capacity: number;
  private nextLabel = 0;
  private ef = -1;
  private live = 0;
  private dead = 0;
  /** Last generation number handed out, and the one `meta.json` names. */
  private generation = 0;
  private committed = 0;
  /** True while an asynchronous save runs: mutations are refused. */
  saving = false;
  /** Counts mutations: a replica's answer is only used if none happened while it searched. */
  private mutations = 0;
  private replicas: GraphReplica[] = [];

  private constructor(
    readonly params: GraphParams,
    index: hnswlib.HierarchicalNSW,
    capacity: number,
  ) {
    this.index = index;
    this.capacity = capacity;
    this.scratch = new Array<number>(params.dim).fill(0);
    this.slotOf = new Int32Array(capacity).fill(-1);
    this.versions = new Float64Array(capacity).fill(-1);
    this.labelOf = new Int32Array(1024).fill(-1);
  }

  static create(params: GraphParams, capacity: number): HnswGraph {
    const index = new hnswlib.HierarchicalNSW(params.space, params.dim);
    const cap = Math.max(capacity, 1024);
    index.initIndex({ maxElements: cap, m: params.m, efConstruction: params.efConstruct, randomSeed: 100 });
    return new HnswGraph(params, index, cap);
  }

  /** Loads the last complete save in `dir` if it was built with the same parameters. */
  static load(dir: string, params: GraphParams, logger?: Logger): HnswGraph | undefined {
    const metaFile = join(dir, 'meta.json');
    if (!existsSync(metaFile)) return undefined;
    // Links left by replicas of a process that died before their thread read them.
    for (const f of readdirSync(dir)) if (/^replica-[0-9a-f]+\.bin$/.test(f)) rmSync(join(dir, f), { force: true });
    try {
      const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as GraphMeta;
      if (meta.space !== params.space || meta.dim !== params.dim || meta.m !== params.m || meta.efConstruct !== params.efConstruct) {
        logger?.info({ dir }, 'saved graph has other parameters; rebuilding');
        return undefined;
      }
      const graphFile = join(dir, `graph-${meta.generation}.bin`);
      const labelsFile = join(dir, `graph-${meta.generation}.labels`);
      if (statSync(graphFile).size !== meta.graphBytes || statSync(labelsFile).size !== meta.labels * 12) throw new Error('incomplete graph files');
      const bytes = readFileSync(labelsFile);
      const index = new hnswlib.HierarchicalNSW(params.space, params.dim);
      index.readIndexSync(graphFile);
      const graph = new HnswGraph(params, index, Math.max(index.getMaxElements(), meta.labels));
      const versions = new Float64Array(meta.labels);
      const slots = new Int32Array(meta.labels);
      Buffer.from(versions.buffer).set(bytes.subarray(0, meta.labels * 8));
      Buffer.from(slots.buffer).set(bytes.subarray(meta.labels * 8));
      graph.restore(slots, versions);
      graph.generation = meta.generation;
      graph.committed = meta.generation;
      return graph;
    } catch (err) {
      logger?.warn({ dir, err }, 'saved graph unreadable; rebuilding');
      return undefined;
    }
  }

  private restore(slots: Int32Array, versions: Float64Array): void {
    this.slotOf.set(slots);
    this.versions.set(versions);
    this.nextLabel = slots.length;
    for (let label = 0; label < slots.length; label++) {
      const slot = slots[label]!;
      if (slot < 0) {
        this.dead++;
        continue;
      }
      this.ensureSlot(slot);
      this.labelOf[slot] = label;
      this.live++;
    }
  }

  /** Slots holding a vector in the graph. */
  get size(): number {
    return this.live;
  }

  /** Labels of replaced or deleted vectors still in the graph (until a rebuild). */
  get deadCount(): number {
    return this.dead;
  }

  /** One past the highest slot the graph knows. */
  get slotCapacity(): number {
    return this.labelOf.length;
  }

  /** label → slot, for filter callbacks (re-read after every mutation: it may be replaced). */
  get labelSlots(): Int32Array {
    return this.slotOf;
  }

  /** Version of the vector the slot's label was built from, -1 when the slot is not in the graph. */
  versionAt(slot: number): number {
    const label = slot < this.labelOf.length ? this.labelOf[slot]! : -1;
    return label < 0 ? -1 : this.versions[label]!;
  }

  /** Inserts the slot's vector under a fresh label (its previous label, if any, dies). */
  add(slot: number, vector: Float32Array, version: number): void {
    if (this.saving) throw new Error('graph is being saved');
    this.remove(slot);
    const label = this.nextLabel;
    if (label >= this.capacity) this.grow(label + 1);
    const v = this.scratch;
    for (let i = 0; i < v.length; i++) v[i] = vector[i]!;
    this.index.addPoint(v, label);
    for (const r of this.replicas) r.add(label, vector);
    this.mutations++;
    this.nextLabel++;
    this.ensureSlot(slot);
    this.labelOf[slot] = label;
    this.slotOf[label] = slot;
    this.versions[label] = version;
    this.live++;
  }

  remove(slot: number): void {
    if (this.saving) throw new Error('graph is being saved');
    const label = slot < this.labelOf.length ? this.labelOf[slot]! : -1;
    if (label < 0) return;
    this.index.markDelete(label);
    for (const r of this.replicas) r.remove(label);
    this.mutations++;
    this.labelOf[slot] = -1;
    this.slotOf[label] = -1;
    this.versions[label] = -1;
    this.live--;
    this.dead++;
  }

  /**
   * The `k` nearest slots (best first) searching with beam width `ef`; `allow` gets labels (map
   * them with `labelSlots`) and should be one or two array reads.
   */
  search(query: Float32Array, k: number, ef: number, allow?: (label: number) => boolean): number[] {
    if (this.live === 0) return [];
    const q = this.scratch;
    for (let i = 0; i < q.length; i++) q[i] = query[i]!;
    if (ef !== this.ef) {
      this.index.setEf(ef);
      this.ef = ef;
    }
    const n = Math.min(k, this.capacity);
    const found = allow ? this.index.searchKnn(q, n, allow) : this.index.searchKnn(q, n);
    const slots = found.neighbors;
    for (let i = 0; i < slots.length; i++) slots[i] = this.slotOf[slots[i]!]!;
    return slots;
  }

  /**
   * Like `search` without a filter, on the least busy replica thread with fewer than `queueLimit`
   * searches queued; undefined when there is none (search here). The promise resolves to undefined
   * when the answer cannot be used — the graph changed while the replica searched (its labels may
   * name vectors since replaced), or the replica failed —; the caller then searches here.
   */
  searchOnReplica(query: Float32Array, k: number, ef: number, queueLimit: number): Promise<number[] | undefined> | undefined {
    let replica: GraphReplica | undefined;
    for (const r of this.replicas) if (r.alive && r.inFlight < queueLimit && (!replica || r.inFlight < replica.inFlight)) replica = r;
    if (!replica || this.live === 0) return undefined;
    const before = this.mutations;
    return replica.search(query, Math.min(k, this.capacity), ef).then((labels) => {
      if (!labels || before !== this.mutations) {
        this.replicas = this.replicas.filter((r) => r.alive);
        return undefined;
      }
      for (let i = 0; i < labels.length; i++) labels[i] = this.slotOf[labels[i]!]!;
      return labels;
    });
  }

  /** Replica threads running. */
  get replicaCount(): number {
    return this.replicas.filter((r) => r.alive).length;
  }

  /**
   * Starts `count` search replicas from the generation last saved into `dir` — call it only while
   * the graph is unchanged since that save (right after `save` or `load`). Each replica's thread
   * reads a private hard link of the file, so a later save may remove the generation meanwhile.
   */
  startReplicas(dir: string, count: number): void {
    const file = join(dir, `graph-${this.committed}.bin`);
    while (this.replicaCount < count) {
      const link = join(dir, `replica-${randomBytes(4).toString('hex')}.bin`); // not `graph-*`: cleanups leave it alone
      try {
        linkSync(file, link);
      } catch {
        copyFileSync(file, link);
      }
      this.replicas = [...this.replicas.filter((r) => r.alive), new GraphReplica(this.params.space, this.params.dim, link)];
    }
  }

  stopReplicas(): void {
    for (const r of this.replicas) r.close();
    this.replicas = [];
  }

  private grow(min: number): void {
    const capacity = Math.max(min, Math.ceil(this.capacity * GROWTH));
    this.index.resizeIndex(capacity);
    for (const r of this.replicas) r.resize(capacity);
    const slotOf = new Int32Array(capacity).fill(-1);
    slotOf.set(this.slotOf);
    this.slotOf = slotOf;
    const versions = new Float64Array(capacity).fill(-1);
    versions.set(this.versions);
    this.versions = versions;
    this.capacity = capacity;
  }

  private ensureSlot(slot: number): void {
    if (slot < this.labelOf.length) return;
    const labelOf = new Int32Array(Math.max(slot + 1, this.labelOf.length * 2)).fill(-1);
    labelOf.set(this.labelOf);
    this.labelOf = labelOf;
  }

  /** Label versions and slots as saved: `[f64 × labels][i32 × labels]`. */
  private labelBytes(): Buffer {
    const n = this.nextLabel;
    const out = Buffer.allocUnsafe(n * 12);
    Buffer.from(this.versions.buffer, 0, n * 8).copy(out, 0);
    Buffer.from(this.slotOf.buffer, 0, n * 4).copy(out, n * 8);
    return out;
  }

  /**
   * Saves the graph and its labels into `dir` as a new generation; the previous one stays valid
   * until `meta.json` names the new one. Asynchronous (the graph is written on a worker thread);
   * searches may continue, mutations must wait (`saving`).
   */
  async save(dir: string): Promise<void> {
    this.saving = true;
    try {
      const generation = this.nextGeneration(dir);
      const graphFile = join(dir, `graph-${generation}.bin`);
      const labels = this.nextLabel;
      writeSynced(join(dir, `graph-${generation}.labels`), this.labelBytes());
      await this.index.writeIndex(graphFile);
      this.commitSave(dir, generation, graphFile, labels);
    } finally {
      this.saving = false;
    }
  }

  /** Like `save`, blocking (used at close; safe while an asynchronous save runs). */
  saveSync(dir: string): void {
    const generation = this.nextGeneration(dir);
    const graphFile = join(dir, `graph-${generation}.bin`);
    writeSynced(join(dir, `graph-${generation}.labels`), this.labelBytes());
    this.index.writeIndexSync(graphFile);
    this.commitSave(dir, generation, graphFile, this.nextLabel);
  }

  /**
   * A generation number no file in `dir` has used: a graph built to replace another (rebuild)
   * saves into the same directory, and must never overwrite the files `meta.json` still names.
   */
  private nextGeneration(dir: string): number {
    mkdirSync(dir, { recursive: true });
    let highest = this.generation;
    for (const f of readdirSync(dir)) {
      const m = /^graph-(\d+)\./.exec(f);
      if (m) highest = Math.max(highest, Number(m[1]));
    }
    this.generation = highest + 1;
    return this.generation;
  }

  private commitSave(dir: string, generation: number, graphFile: string, labels: number): void {
    const fd = openSync(graphFile, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (generation < this.committed || generation < committedGeneration(dir)) {
      // A later save (at close, or of a newer graph) already committed: this one is obsolete.
      for (const f of [`graph-${generation}.bin`, `graph-${generation}.labels`]) rmSync(join(dir, f), { force: true });
      return;
    }
    const meta: GraphMeta = { ...this.params, generation, graphBytes: statSync(graphFile).size, labels };
    writeSynced(join(dir, 'meta.json.tmp'), Buffer.from(JSON.stringify(meta)));
    renameSync(join(dir, 'meta.json.tmp'), join(dir, 'meta.json'));
    this.committed = generation;
    for (const f of readdirSync(dir)) {
      const m = /^graph-(\d+)\./.exec(f);
      if (m && Number(m[1]) < generation) rmSync(join(dir, f), { force: true });
    }
  }
}

/** The generation `meta.json` in `dir` names (0 when none). */
function committedGeneration(dir: string): number {
  try {
    return (JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as GraphMeta).generation;
  } catch {
    return 0;
  }
}

/** Copies the complete save in `from` (meta and the files it names) into `to`. */
export function copySavedGraph(from: string, to: string): void {
  const metaFile = join(from, 'meta.json');
  if (!existsSync(metaFile)) return;
  const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as GraphMeta;
  mkdirSync(to, { recursive: true });
  for (const f of [`graph-${meta.generation}.bin`, `graph-${meta.generation}.labels`, 'meta.json']) copyFileSync(join(from, f), join(to, f));
}

function writeSynced(file: string, bytes: Buffer): void {
  writeFileSync(file, bytes);
  const fd = openSync(file, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
