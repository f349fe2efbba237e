import { copyFileSync, existsSync, renameSync, rmSync, statSync, truncateSync } from 'node:fs';

/**
 * Size-based rotation of instance logs, copy-and-truncate style (logrotate's `copytruncate`):
 * children keep writing to the same open file (opened for append, so they write at its new end),
 * `<log>.1` … `<log>.<keep>` hold the older parts. A few lines written between the copy and the
 * truncation may be lost; the child never has to reopen anything.
 */
export function rotateIfLarge(file: string, maxBytes: number, keep: number): boolean {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return false;
  }
  if (size <= maxBytes) return false;
  if (keep > 0) {
    rmSync(`${file}.${keep}`, { force: true });
    for (let i = keep - 1; i >= 1; i--) if (existsSync(`${file}.${i}`)) renameSync(`${file}.${i}`, `${file}.${i + 1}`);
    copyFileSync(file, `${file}.1`);
  }
  truncateSync(file, 0);
  return true;
}
