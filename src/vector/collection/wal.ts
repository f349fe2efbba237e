import { closeSync, fdatasync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, write } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { Logger } from 'pino';
import { syncDir } from '../../core/durable-file.js';

/**
 * A collection's operation log: one ordered, numbered, checksummed record per mutating operation,
 * in segment files `<first op>.wal`. Frames are `[magic u32][body length u32][crc32 u32][op u64]
 * [body]`; the CRC covers the op number and the body, so a torn or garbled frame is recognised.
 *
 * Group commit: `append` queues a frame and resolves once it is on disk (write + fdatasync);
 * appends that arrive while a flush is running share the next one. On open, a torn tail (an
 * incomplete or bad last frame, from a crash mid-write) is cut off; damage before valid frames is
 * an error. `read(from)` replays records from a position (recovery, and a leader shipping its log
 * to followers); `truncateBefore(op)` drops segments a checkpoint has made unnecessary.
 */
export interface WalRecord {
  op: number;
  body: Buffer;
}

const MAGIC = 0x57584850; // 'PHXW'
const HEADER = 20;

interface Segment {
  firstOp: number;
  file: string;
}

export class Wal {
  private segments: Segment[];
  private fd: number | undefined;
  private currentSize = 0;
  private queue: Buffer[] = [];
  private waiters: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];
  private flushing: Promise<void> | undefined;
  private failure: Error | undefined;
  private closed = false;
  private closing = false;
  private last: number;
  private durable: number;

  private constructor(
    private readonly dir: string,
    private readonly segmentBytes: number,
    segments: Segment[],
    lastOp: number,
    /** Whether the next append may continue the last segment (it ends right before it). */
    private reuseLast: boolean,
  ) {
    this.segments = segments;
    this.last = lastOp;
    this.durable = lastOp;
  }

  /**
   * Opens (or creates) the log in `dir`, validating every frame and cutting a torn tail.
   * `after` is the operation a checkpoint already covers: numbering continues after the larger of
   * it and the last logged operation.
   */
  static open(dir: string, options: { segmentBytes: number; after: number; logger?: Logger }): Wal {
    mkdirSync(dir, { recursive: true });
    const segments = readdirSync(dir)
      .filter((f) => /^\d{20}\.wal$/.test(f))
      .sort()
      .map((f) => ({ firstOp: Number(f.slice(0, 20)), file: join(dir, f) }));
    let lastOp = -1;
    segments.forEach((segment, i) => {
      const bytes = readFileSync(segment.file);
      const scan = scanFrames(bytes, segment.firstOp);
      if (scan.error) {
        if (i !== segments.length - 1) throw new Error(`operation log ${segment.file} is damaged at byte ${scan.end}: ${scan.error}`);
        options.logger?.warn({ file: segment.file, at: scan.end, error: scan.error }, 'cutting a torn tail off the operation log');
        truncateSync(segment.file, scan.end);
      }
      if (scan.count > 0) {
        if (segment.firstOp <= lastOp) throw new Error(`operation log segment ${segment.file} overlaps operation ${lastOp}`);
        lastOp = segment.firstOp + scan.count - 1;
      }
    });
    const tail = segments[segments.length - 1];
    const reuse = tail !== undefined && lastOp >= options.after && fileSize(tail.file) < options.segmentBytes && (fileSize(tail.file) > 0 || tail.firstOp === lastOp + 1);
    return new Wal(dir, options.segmentBytes, segments, Math.max(lastOp, options.after), reuse);
  }

  /** Number of the last appended operation (-1 when none). */
  get lastOp(): number {
    return this.last;
  }

  /** Number of the last operation known to be on disk. */
  get durableOp(): number {
    return this.durable;
  }

  /** Bytes held in all segments (what a checkpoint lets go). */
  get sizeBytes(): number {
    let n = 0;
    for (const s of this.segments) n += fileSize(s.file);
    return n;
  }

  /** Queues a record; resolves when it is durable. `op` must follow the last one. */
  append(op: number, body: Buffer): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed || this.closing) return Promise.reject(new Error('operation log is closed'));
    if (op !== this.last + 1) return Promise.reject(new Error(`operation ${op} appended after ${this.last}`));
    const header = Buffer.allocUnsafe(HEADER);
    header.writeUInt32LE(MAGIC, 0);
    header.writeUInt32LE(body.length, 4);
    header.writeBigUInt64LE(BigInt(op), 12);
    header.writeUInt32LE(crc32(body, crc32(header.subarray(12, 20))), 8);
    this.queue.push(header, body);
    this.last = op;
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.flushing ??= this.flush();
    return done;
  }

  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0 && !this.closed) {
        const frames = Buffer.concat(this.queue);
        const waiters = this.waiters;
        const lastOp = this.last;
        const firstOp = lastOp - waiters.length + 1;
        this.queue = [];
        this.waiters = [];
        try {
          if (this.fd === undefined || this.currentSize >= this.segmentBytes) this.rotate(firstOp);
          const fd = this.fd!;
          let written = 0;
          while (written < frames.length) written += await writeAsync(fd, frames, written);
          await datasyncAsync(fd);
        } catch (err) {
          this.failure = err instanceof Error ? err : new Error(String(err));
          for (const w of [...waiters, ...this.waiters]) w.reject(this.failure);
          this.waiters = [];
          this.queue = [];
          return;
        }
        this.currentSize += frames.length;
        this.durable = lastOp;
        for (const w of waiters) w.resolve();
      }
    } finally {
      this.flushing = undefined;
      if (this.closed) this.closeNow();
    }
  }

  private rotate(firstOp: number): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    const current = this.segments[this.segments.length - 1];
    let file: string;
    if (current && this.reuseLast) {
      file = current.file; // continue the last segment after a restart
      this.reuseLast = false;
    } else {
      file = join(this.dir, `${String(firstOp).padStart(20, '0')}.wal`);
      this.segments.push({ firstOp, file });
    }
    this.fd = openSync(file, 'a');
    this.currentSize = fileSize(file);
    syncDir(this.dir);
  }

  /** Records with op ≥ `from`, in order, up to the last durable one. */
  *read(from: number): Generator<WalRecord> {
    const durable = this.durable;
    for (let i = 0; i < this.segments.length; i++) {
      const segment = this.segments[i]!;
      const next = this.segments[i + 1];
      if (next && next.firstOp <= from) continue;
      const bytes = readFileSync(segment.file);
      let at = 0;
      let op = segment.firstOp;
      while (at + HEADER <= bytes.length && op <= durable) {
        const length = bytes.readUInt32LE(at + 4);
        if (op >= from) yield { op, body: bytes.subarray(at + HEADER, at + HEADER + length) };
        at += HEADER + length;
        op++;
      }
    }
  }

  /** Deletes the segments whose records all come before `op` (never the one being written). */
  truncateBefore(op: number): void {
    while (this.segments.length > 1 && this.segments[1]!.firstOp <= op) {
      rmSync(this.segments.shift()!.file, { force: true });
    }
  }

  /** Waits for the running flush, then closes the file. Later appends are refused. */
  async close(): Promise<void> {
    this.closing = true;
    while (this.flushing) await this.flushing;
    this.closeNow();
  }

  /**
   * Closes at once: a flush still running fails, so its appends are never acknowledged (they were
   * not answered, so nothing answered is lost). For shutdown paths that cannot wait.
   */
  closeNow(): void {
    this.closed = true;
    for (const w of this.waiters) w.reject(new Error('operation log closed'));
    this.waiters = [];
    this.queue = [];
    // A write in flight keeps the descriptor until it returns (closing it now could let the
    // number be reused by another file under the pending write); the flush closes it then.
    if (this.flushing || this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Validates the frames of one segment: how many are good, where they end, and why scanning stopped. */
function scanFrames(bytes: Buffer, firstOp: number): { count: number; end: number; error?: string } {
  let at = 0;
  let count = 0;
  while (at < bytes.length) {
    if (at + HEADER > bytes.length) return { count, end: at, error: 'incomplete frame header' };
    if (bytes.readUInt32LE(at) !== MAGIC) return { count, end: at, error: 'bad frame marker' };
    const length = bytes.readUInt32LE(at + 4);
    if (at + HEADER + length > bytes.length) return { count, end: at, error: 'incomplete frame' };
    const op = Number(bytes.readBigUInt64LE(at + 12));
    if (op !== firstOp + count) return { count, end: at, error: `operation ${op} where ${firstOp + count} was expected` };
    const crc = crc32(bytes.subarray(at + HEADER, at + HEADER + length), crc32(bytes.subarray(at + 12, at + 20)));
    if (crc !== bytes.readUInt32LE(at + 8)) return { count, end: at, error: 'checksum mismatch' };
    at += HEADER + length;
    count++;
  }
  return { count, end: at };
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

function writeAsync(fd: number, bytes: Buffer, from: number): Promise<number> {
  return new Promise((resolve, reject) => write(fd, bytes, from, bytes.length - from, null, (err, n) => (err ? reject(err) : resolve(n))));
}

function datasyncAsync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())));
}
