import { closeSync, openSync, readSync, statSync } from 'node:fs';

/** The last `n` lines of a file (reading backwards in blocks, so big logs are cheap). */
export function lastLines(file: string, n: number, maxBytes = 4 * 1024 * 1024): { lines: string[]; offset: number } {
  const size = statSync(file).size;
  if (n === 0) return { lines: [], offset: size };
  const fd = openSync(file, 'r');
  try {
    let start = size;
    let text = '';
    const block = 64 * 1024;
    while (start > 0 && size - start < maxBytes) {
      const len = Math.min(block, start);
      start -= len;
      const buf = Buffer.alloc(len);
      readSync(fd, buf, 0, len, start);
      text = buf.toString('utf8') + text;
      if (text.split('\n').length > n + 1) break;
    }
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    return { lines: lines.slice(-n), offset: size };
  } finally {
    closeSync(fd);
  }
}

/**
 * Follows a file from `offset`: each `read()` returns the complete lines written since, handling a
 * truncation (rotation) by starting again from the beginning.
 */
export class FileFollower {
  private partial = '';

  constructor(
    private readonly file: string,
    private offset: number,
  ) {}

  read(maxBytes = 256 * 1024): string[] {
    let size: number;
    try {
      size = statSync(this.file).size;
    } catch {
      return [];
    }
    if (size < this.offset) {
      this.offset = 0;
      this.partial = '';
    }
    if (size === this.offset) return [];
    const len = Math.min(maxBytes, size - this.offset);
    const fd = openSync(this.file, 'r');
    try {
      const buf = Buffer.alloc(len);
      readSync(fd, buf, 0, len, this.offset);
      this.offset += len;
      const text = this.partial + buf.toString('utf8');
      const lines = text.split('\n');
      this.partial = lines.pop() ?? '';
      return lines;
    } finally {
      closeSync(fd);
    }
  }
}
