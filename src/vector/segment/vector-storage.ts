import type { VectorValue } from './vector-value.js';

/**
 * Stored vectors of one name, by slot. Each stored vector carries the number of the operation that
 * wrote it (its version), which lets a persisted index tell which of its vectors are still current.
 */
export interface VectorColumn {
  readonly kind: VectorValue['kind'];
  /** Number of slots holding a vector. */
  readonly size: number;
  has(slot: number): boolean;
  /** The stored vector (not a copy: do not change it), or undefined. */
  value(slot: number): VectorValue | undefined;
  set(slot: number, vector: VectorValue, version: number): void;
  clear(slot: number): void;
  /** Operation that wrote the slot's vector, -1 when there is none. */
  versionAt(slot: number): number;
}

/**
 * Dense vectors of one name in one growable Float32Array (slot-major), with a presence flag and a
 * version per slot (a point may lack a named vector). Exact search scans `data` directly.
 */
export class DenseVectorStorage implements VectorColumn {
  readonly kind = 'dense';
  data: Float32Array;
  private present: Uint8Array;
  private versions: Float64Array;
  private count = 0;

  constructor(
    readonly dim: number,
    capacity = 64,
  ) {
    this.data = new Float32Array(capacity * dim);
    this.present = new Uint8Array(capacity);
    this.versions = new Float64Array(capacity).fill(-1);
  }

  get size(): number {
    return this.count;
  }

  has(slot: number): boolean {
    return this.present[slot] === 1;
  }

  /** A view of the vector at `slot` (shares memory with the storage). */
  view(slot: number): Float32Array | undefined {
    if (!this.has(slot)) return undefined;
    return this.data.subarray(slot * this.dim, (slot + 1) * this.dim);
  }

  /** A copy of the vector at `slot`. */
  get(slot: number): Float32Array | undefined {
    return this.view(slot)?.slice();
  }

  value(slot: number): VectorValue | undefined {
    const values = this.view(slot);
    return values ? { kind: 'dense', values } : undefined;
  }

  versionAt(slot: number): number {
    return this.present[slot] === 1 ? this.versions[slot]! : -1;
  }

  set(slot: number, vector: VectorValue | Float32Array, version = 0): void {
    const values = vector instanceof Float32Array ? vector : vector.kind === 'dense' ? vector.values : undefined;
    if (!values) throw new Error(`a ${(vector as VectorValue).kind} vector stored where a dense one is expected`);
    if (values.length !== this.dim) throw new Error(`vector of ${values.length} dims stored where ${this.dim} expected`);
    this.ensure(slot + 1);
    this.data.set(values, slot * this.dim);
    this.versions[slot] = version;
    if (this.present[slot] !== 1) {
      this.present[slot] = 1;
      this.count++;
    }
  }

  clear(slot: number): void {
    if (this.present[slot] === 1) {
      this.present[slot] = 0;
      this.versions[slot] = -1;
      this.count--;
    }
  }

  private ensure(slots: number): void {
    if (slots <= this.present.length) return;
    const capacity = Math.max(slots, this.present.length * 2);
    const data = new Float32Array(capacity * this.dim);
    data.set(this.data);
    this.data = data;
    const present = new Uint8Array(capacity);
    present.set(this.present);
    this.present = present;
    const versions = new Float64Array(capacity).fill(-1);
    versions.set(this.versions);
    this.versions = versions;
  }
}

/** Sparse vectors or multivectors of one name: one object per slot. */
export class ObjectVectorStorage implements VectorColumn {
  private readonly values: Array<VectorValue | undefined> = [];
  private readonly versions: number[] = [];
  private count = 0;

  constructor(readonly kind: 'sparse' | 'multi') {}

  get size(): number {
    return this.count;
  }

  has(slot: number): boolean {
    return this.values[slot] !== undefined;
  }

  value(slot: number): VectorValue | undefined {
    return this.values[slot];
  }

  versionAt(slot: number): number {
    return this.values[slot] === undefined ? -1 : (this.versions[slot] ?? -1);
  }

  set(slot: number, vector: VectorValue, version: number): void {
    if (vector.kind !== this.kind) throw new Error(`a ${vector.kind} vector stored where a ${this.kind} one is expected`);
    if (this.values[slot] === undefined) this.count++;
    this.values[slot] = vector;
    this.versions[slot] = version;
  }

  clear(slot: number): void {
    if (this.values[slot] === undefined) return;
    this.values[slot] = undefined;
    this.count--;
  }
}
