import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, statSync } from 'node:fs';
import { create, extract, list } from 'tar';
import { WrongInputError } from '../errors.js';

/**
 * Snapshot archives: plain (uncompressed) tar files, like Qdrant's, holding a collection's files
 * (or, for a full snapshot, every collection's archive and the aliases). Extraction refuses
 * absolute paths, `..`, links and device files, so an archive can only write inside its target.
 */
export interface ArchiveInfo {
  size: number;
  /** SHA-256 of the archive, hex. */
  checksum: string;
}

export async function createArchive(fromDir: string, file: string): Promise<ArchiveInfo> {
  await create({ file, cwd: fromDir, portable: true, noMtime: false }, ['.']);
  return describe(file);
}

export async function describe(file: string): Promise<ArchiveInfo> {
  return { size: statSync(file).size, checksum: await sha256File(file) };
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Extracts a snapshot archive into `toDir`; a file that is not a valid, safe archive is a 400. */
export async function extractArchive(file: string, toDir: string): Promise<void> {
  const problems: string[] = [];
  try {
    await list({
      file,
      strict: true,
      onReadEntry: (entry) => {
        const path = entry.path.replace(/^\.\//, '');
        if (entry.type !== 'File' && entry.type !== 'Directory') problems.push(`${entry.type} entries are not allowed (${path})`);
        if (path.startsWith('/') || path.split('/').includes('..')) problems.push(`unsafe path ${path}`);
      },
    });
  } catch (err) {
    throw new WrongInputError(`Snapshot is not a valid tar archive: ${(err as Error).message}`, 'VECTOR_SNAPSHOT_INVALID');
  }
  if (problems.length > 0) throw new WrongInputError(`Snapshot archive rejected: ${problems[0]}`, 'VECTOR_SNAPSHOT_INVALID');
  mkdirSync(toDir, { recursive: true });
  await extract({ file, cwd: toDir, strict: true, preservePaths: false, noChmod: true, filter: (_path, entry) => 'type' in entry && (entry.type === 'File' || entry.type === 'Directory') });
}
