import { closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import hnswlib from 'hnswlib-node';
import type { Logger } from 'pino';

/**
 * One HNSW graph (hnswlib-node) over the dense vectors of one name. Labels are the collection's
 * slots. Each label remembers the version of the vector it was built from, and the graph is
 * persisted together with those versions: on load, a label whose version no longer matches the
 * stored vector is simply re-inserted, so a saved graph never has to match a checkpoint exactly
 * and restarts never rebuild from scratch.
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
  private versions: Float64Array;
  private capacity: number;
  private ef = -1;
  private live = 0;
  /** Last generation number handed out, and the one `meta.json` names. */
  private generation = 0;
  private committed = 0;
  /** True while an asynchronous save runs: mutations are refused. */
  saving = false;

  private constructor(
    readonly params: GraphParams,
    index: hnswlib.HierarchicalNSW,
    capacity: number,
    versions?: Float64Array,
  ) {
    this.index = index;
    this.capacity = capacity;
    this.scratch = new Array<number>(params.dim).fill(0);
    this.versions = new Float64Array(capacity).fill(-1);
    if (versions) {
      this.versions.set(versions.subarray(0, capacity));
      for (const v of this.versions) if (v >= 0) this.live++;
    }
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
    try {
      const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as GraphMeta;
      if (meta.space !== params.space || meta.dim !== params.dim || meta.m !== params.m || meta.efConstruct !== params.efConstruct) {
        logger?.info({ dir }, 'saved graph has other parameters; rebuilding');
        return undefined;
      }
      const graphFile = join(dir, `graph-${meta.generation}.bin`);
      const versionsFile = join(dir, `graph-${meta.generation}.versions`);
      if (statSync(graphFile).size !== meta.graphBytes || statSync(versionsFile).size !== meta.labels * 8) throw new Error('incomplete graph files');
      const bytes = readFileSync(versionsFile);
      const versions = new Float64Array(meta.labels);
      Buffer.from(versions.buffer).set(bytes);
      const index = new hnswlib.HierarchicalNSW(params.space, params.dim);
      index.readIndexSync(graphFile);
      const graph = new HnswGraph(params, index, index.getMaxElements(), versions);
      graph.generation = meta.generation;
      graph.committed = meta.generation;
      return graph;
    } catch (err) {
      logger?.warn({ dir, err }, 'saved graph unreadable; rebuilding');
      return undefined;
    }
  }

  /** Labels the graph has room for. */
  get labelCapacity(): number {
    return this.capacity;
  }

  /** Labels holding a (not deleted) vector. */
  get size(): number {
    return this.live;
  }

  /** Version of the vector the label was built from, -1 when the label is not in the graph. */
  versionAt(label: number): number {
    return label < this.capacity ? this.versions[label]! : -1;
  }

  /** Inserts or replaces the vector of a label. */
  add(label: number, vector: Float32Array, version: number): void {
    if (this.saving) throw new Error('graph is being saved');
    if (label >= this.capacity) this.grow(label + 1);
    const v = this.scratch;
    for (let i = 0; i < v.length; i++) v[i] = vector[i]!;
    this.index.addPoint(v, label);
    if (this.versions[label]! < 0) this.live++;
    this.versions[label] = version;
  }

  remove(label: number): void {
    if (this.saving) throw new Error('graph is being saved');
    if (this.versionAt(label) < 0) return;
    this.index.markDelete(label);
    this.versions[label] = -1;
    this.live--;
  }

  /**
   * The `k` nearest labels (best first) with hnswlib distances, searching with beam width `ef`;
   * `allow` (one array read per candidate, ideally) restricts results during traversal.
   */
  search(query: Float32Array, k: number, ef: number, allow?: (label: number) => boolean): hnswlib.SearchResult {
    if (this.live === 0) return { distances: [], neighbors: [] };
    const q = this.scratch;
    for (let i = 0; i < q.length; i++) q[i] = query[i]!;
    if (ef !== this.ef) {
      this.index.setEf(ef);
      this.ef = ef;
    }
    return allow ? this.index.searchKnn(q, Math.min(k, this.capacity), allow) : this.index.searchKnn(q, Math.min(k, this.capacity));
  }

  private grow(min: number): void {
    const capacity = Math.max(min, Math.ceil(this.capacity * GROWTH));
    this.index.resizeIndex(capacity);
    const versions = new Float64Array(capacity).fill(-1);
    versions.set(this.versions);
    this.versions = versions;
    this.capacity = capacity;
  }

  /**
   * Saves the graph and its label versions into `dir` as a new generation; the previous one stays
   * valid until `meta.json` names the new one. Asynchronous (the graph is written on a worker
   * thread); searches may continue, mutations must wait (`saving`).
   */
  async save(dir: string): Promise<void> {
    this.saving = true;
    try {
      const generation = ++this.generation;
      mkdirSync(dir, { recursive: true });
      const graphFile = join(dir, `graph-${generation}.bin`);
      const versions = this.versions.slice();
      writeSynced(join(dir, `graph-${generation}.versions`), Buffer.from(versions.buffer));
      await this.index.writeIndex(graphFile);
      this.commitSave(dir, generation, graphFile, versions.length);
    } finally {
      this.saving = false;
    }
  }

  /** Like `save`, blocking (used at close; safe while an asynchronous save runs). */
  saveSync(dir: string): void {
    const generation = ++this.generation;
    mkdirSync(dir, { recursive: true });
    const graphFile = join(dir, `graph-${generation}.bin`);
    writeSynced(join(dir, `graph-${generation}.versions`), Buffer.from(this.versions.buffer, 0, this.versions.byteLength));
    this.index.writeIndexSync(graphFile);
    this.commitSave(dir, generation, graphFile, this.versions.length);
  }

  private commitSave(dir: string, generation: number, graphFile: string, labels: number): void {
    const fd = openSync(graphFile, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (generation < this.committed) {
      // A later save (at close) already committed: this one is obsolete.
      for (const f of [`graph-${generation}.bin`, `graph-${generation}.versions`]) rmSync(join(dir, f), { force: true });
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

function writeSynced(file: string, bytes: Buffer): void {
  writeFileSync(file, bytes);
  const fd = openSync(file, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Copies the complete save in `from` (meta and the files it names) into `to`. */
export function copySavedGraph(from: string, to: string): void {
  const metaFile = join(from, 'meta.json');
  if (!existsSync(metaFile)) return;
  const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as GraphMeta;
  mkdirSync(to, { recursive: true });
  for (const f of [`graph-${meta.generation}.bin`, `graph-${meta.generation}.versions`, 'meta.json']) copyFileSync(join(from, f), join(to, f));
}
