import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ConfigError } from '../core/errors.js';

/** Writes a file atomically (temp file + rename) with exactly `mode`, whatever the umask. */
export function writeFileAtomic(file: string, content: string, mode: number): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}

/** 32 random bytes, base64url: the generated CA password. */
export function generatePassword(): string {
  return randomBytes(32).toString('base64url');
}

/** Reads a password file (one line; surrounding whitespace and the trailing newline are dropped). */
export function readPasswordFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read CA password file ${file}: ${(err as Error).message}`);
  }
  const password = text.trim();
  if (!password) throw new ConfigError(`CA password file ${file} is empty`);
  return password;
}
