/**
 * Dense vectors of one name, in one growable Float32Array (slot-major), with a presence flag per
 * slot (a point may lack a named vector). Exact search scans `data` directly.
 */
export class DenseVectorStorage {
  data: Float32Array;
  private present: Uint8Array;
  private count = 0;

  constructor(
    readonly dim: number,
    capacity = 64,
  ) {
    this.data = new Float32Array(capacity * dim);
    this.present = new Uint8Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  has(slot: number): boolean {
    return this.present[slot] === 1;
  }

  /** A copy of the vector at `slot`. */
  get(slot: number): Float32Array | undefined {
    if (!this.has(slot)) return undefined;
    return this.data.slice(slot * this.dim, (slot + 1) * this.dim);
  }

  set(slot: number, vector: Float32Array): void {
    if (vector.length !== this.dim) throw new Error(`vector of ${vector.length} dims stored where ${this.dim} expected`);
    this.ensure(slot + 1);
    this.data.set(vector, slot * this.dim);
    if (this.present[slot] !== 1) {
      this.present[slot] = 1;
      this.count++;
    }
  }

  clear(slot: number): void {
    if (this.present[slot] === 1) {
      this.present[slot] = 0;
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
  }
}
