import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import type { Logger } from 'pino';
import { Wal } from '../collection/wal.js';
import { epochOfBody } from './mutation.js';

/** One record as stored and shipped: its number, its epoch, its encoded body. */
export interface StoredRecord {
  seq: number;
  epoch: number;
  body: Buffer;
}

export interface EpochStart {
  epoch: number;
  /** First seq written in that epoch. */
  start: number;
}

export interface LogOptions {
  segmentBytes: number;
  /** Position before the first record of this log generation (a snapshot's position), and its epoch. */
  base: { seq: number; epoch: number };
  /** Epoch starts known from the state file (the log adds those it finds in its records). */
  epochs: readonly EpochStart[];
  /** Recent records kept in memory for followers' fetches. */
  cacheBytes?: number;
  /** Called when a record starts a new epoch (the state file keeps the history across truncation). */
  onNewEpoch?: (start: EpochStart) => void;
  logger?: Logger;
}

/**
 * The replication log of a replica: the collection operation log's framing (`Wal`: numbered,
 * checksummed frames, group commit, torn-tail repair) holding one record per mutation of the
 * replica set, numbered from `base.seq + 1`. Keeps the epoch history (which epoch wrote which
 * range, for the followers' log-matching check), recent records in memory, and wakes long polls
 * when records become durable. `truncateBefore` drops whole segments the retention lets go.
 */
export class ReplicationLog {
  private readonly wal: Wal;
  private history: EpochStart[];
  private readonly cache: StoredRecord[] = [];
  private cacheSize = 0;
  private readonly cacheLimit: number;
  private durable: number;
  private waiters: Array<() => void> = [];
  private first = 0;

  private constructor(
    private readonly dir: string,
    private readonly options: LogOptions,
  ) {
    mkdirSync(dir, { recursive: true });
    this.cacheLimit = options.cacheBytes ?? 64 * 1024 * 1024;
    this.wal = Wal.open(dir, { segmentBytes: options.segmentBytes, after: options.base.seq, ...(options.logger ? { logger: options.logger } : {}) });
    this.durable = this.wal.lastOp;
    // The records held are authoritative for their range; the state file's history covers the
    // truncated range before them.
    const scanned: EpochStart[] = [];
    this.first = this.lastSeq + 1;
    for (const r of this.wal.read(options.base.seq + 1)) {
      if (this.first > r.op) this.first = r.op;
      const epoch = epochOfBody(r.body);
      if (scanned[scanned.length - 1]?.epoch !== epoch) scanned.push({ epoch, start: r.op });
      this.remember({ seq: r.op, epoch, body: Buffer.from(r.body) });
    }
    const before = options.epochs.filter((e) => e.start > options.base.seq && e.start < this.first).sort((a, b) => a.start - b.start);
    this.history = [{ epoch: options.base.epoch, start: options.base.seq }, ...before];
    for (const e of scanned) {
      if (this.history[this.history.length - 1]?.epoch === e.epoch) continue;
      this.history.push(e);
      if (!options.epochs.some((k) => k.epoch === e.epoch && k.start === e.start)) options.onNewEpoch?.(e);
    }
  }

  static open(dir: string, options: LogOptions): ReplicationLog {
    return new ReplicationLog(dir, options);
  }

  /** A new, empty log generation starting after `base` (the old files are removed). */
  static create(dir: string, options: LogOptions): ReplicationLog {
    rmSync(dir, { recursive: true, force: true });
    return new ReplicationLog(dir, { ...options, epochs: [] });
  }

  get base(): { seq: number; epoch: number } {
    return this.options.base;
  }

  /** Last appended seq (durable or not). */
  get lastSeq(): number {
    return this.wal.lastOp;
  }

  /** Last seq on disk. */
  get durableSeq(): number {
    return this.durable;
  }

  /** First seq still held (records before it were truncated, or precede the base). */
  get startSeq(): number {
    return this.first;
  }

  get epochs(): readonly EpochStart[] {
    return this.history;
  }

  /** Epoch of the record at `seq` (of the base at `base.seq`); undefined outside what the log holds. */
  epochOf(seq: number): number | undefined {
    if (seq < this.options.base.seq || seq > this.lastSeq) return undefined;
    if (seq < this.first - 1) return undefined;
    let epoch: number | undefined;
    for (const h of this.history) {
      if (h.start <= seq) epoch = h.epoch;
      else break;
    }
    return epoch;
  }

  /** Queues a record; resolves when it is durable. `seq` must follow the last one. */
  append(seq: number, epoch: number, body: Buffer): Promise<void> {
    if (seq !== this.wal.lastOp + 1) return Promise.reject(new Error(`record ${seq} appended after ${this.wal.lastOp}`));
    const done = this.wal.append(seq, body);
    this.noteEpoch(epoch, seq);
    this.remember({ seq, epoch, body });
    return done.then(() => {
      if (seq > this.durable) this.durable = seq;
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    });
  }

  /** Durable records from `from` on, up to about `maxBytes` (at least one when there is one). */
  read(from: number, maxBytes: number): StoredRecord[] {
    const out: StoredRecord[] = [];
    let size = 0;
    const upTo = this.durable;
    const cachedFrom = this.cache[0]?.seq ?? Infinity;
    if (from >= cachedFrom) {
      for (let i = from - cachedFrom; i < this.cache.length; i++) {
        const r = this.cache[i]!;
        if (r.seq > upTo || (out.length > 0 && size + r.body.length > maxBytes)) break;
        out.push(r);
        size += r.body.length;
      }
      return out;
    }
    for (const r of this.wal.read(Math.max(from, this.first))) {
      if (r.op > upTo || (out.length > 0 && size + r.body.length > maxBytes)) break;
      out.push({ seq: r.op, epoch: epochOfBody(r.body), body: Buffer.from(r.body) });
      size += r.body.length;
    }
    return out;
  }

  /** Resolves when a record after `seq` is durable, or after `ms`, or when `signal` aborts. */
  waitBeyond(seq: number, ms: number, signal?: AbortSignal): Promise<void> {
    if (this.durable > seq || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      this.waiters.push(done);
    });
  }

  /** Lets go of the segments whose records all come before `seq` (the retention decides `seq`). */
  truncateBefore(seq: number): void {
    this.wal.truncateBefore(seq);
    const segments = readdirSync(this.dir)
      .filter((f) => /^\d{20}\.wal$/.test(f))
      .sort();
    const firstSegment = segments[0] === undefined ? this.lastSeq + 1 : Number(segments[0].slice(0, 20));
    this.first = Math.max(this.first, Math.min(firstSegment, this.lastSeq + 1));
  }

  /** Bytes on disk. */
  get sizeBytes(): number {
    return this.wal.sizeBytes;
  }

  async close(): Promise<void> {
    await this.wal.close();
    for (const w of this.waiters) w();
  }

  closeNow(): void {
    this.wal.closeNow();
    for (const w of this.waiters) w();
  }

  private noteEpoch(epoch: number, seq: number): void {
    const last = this.history[this.history.length - 1];
    if (last && epoch === last.epoch) return;
    const start = { epoch, start: seq };
    this.history.push(start);
    this.options.onNewEpoch?.(start);
  }

  private remember(record: StoredRecord): void {
    this.cache.push(record);
    this.cacheSize += record.body.length;
    while (this.cacheSize > this.cacheLimit && this.cache.length > 1) this.cacheSize -= this.cache.shift()!.body.length;
  }
}
