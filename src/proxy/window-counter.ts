/**
 * Counts events over a sliding window in fixed slots (a tenth of the window each), cheaply enough
 * to call on every request.
 */
export class WindowCounter {
  private readonly slots: Float64Array;
  private readonly slotMs: number;
  private slotStart = 0;
  private index = 0;

  constructor(
    readonly windowMs: number,
    private readonly width = 10,
  ) {
    this.slots = new Float64Array(width);
    this.slotMs = Math.max(1, Math.ceil(windowMs / width));
  }

  add(n = 1, now = Date.now()): void {
    this.advance(now);
    this.slots[this.index] = (this.slots[this.index] as number) + n;
  }

  sum(now = Date.now()): number {
    this.advance(now);
    let s = 0;
    for (let i = 0; i < this.width; i++) s += this.slots[i] as number;
    return s;
  }

  reset(): void {
    this.slots.fill(0);
  }

  private advance(now: number): void {
    if (this.slotStart === 0) this.slotStart = now;
    let steps = Math.floor((now - this.slotStart) / this.slotMs);
    if (steps <= 0) return;
    this.slotStart += steps * this.slotMs;
    if (steps > this.width) steps = this.width;
    for (let i = 0; i < steps; i++) {
      this.index = (this.index + 1) % this.width;
      this.slots[this.index] = 0;
    }
  }
}
