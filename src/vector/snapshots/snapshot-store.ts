import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VectorNotFoundError, WrongInputError } from '../errors.js';
import { describe, type ArchiveInfo } from './archive.js';

/**
 * Where snapshots live: `<dir>/<collection>/<name>.snapshot` for collection snapshots and
 * `<dir>/<name>.snapshot` for full ones, each with a `.checksum` file beside it (SHA-256), as
 * Qdrant lays them out. Names follow Qdrant: `<collection>-<peer id>-<UTC date-time>.snapshot`
 * and `full-snapshot-<UTC date-time>.snapshot`.
 */
export interface SnapshotDescription {
  name: string;
  creation_time: string | null;
  size: number;
  checksum: string | null;
}

const SUFFIX = '.snapshot';

export class SnapshotStore {
  /** A stable id for this node, used in snapshot names like Qdrant's peer id. */
  readonly peerId: string;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    const idFile = join(dir, '.peer-id');
    if (!existsSync(idFile)) writeFileSync(idFile, BigInt(`0x${randomBytes(6).toString('hex')}`).toString());
    this.peerId = readFileSync(idFile, 'utf8').trim();
  }

  collectionDir(collection: string): string {
    return join(this.dir, collection);
  }

  /** A fresh name for a new snapshot of `collection` (or a full snapshot when undefined). */
  newName(collection: string | undefined): string {
    const stamp = new Date().toISOString().slice(0, 19).replace('T', '-').replace(/:/g, '-');
    const base = collection === undefined ? `full-snapshot-${stamp}` : `${collection}-${this.peerId}-${stamp}`;
    const dir = collection === undefined ? this.dir : this.collectionDir(collection);
    let name = `${base}${SUFFIX}`;
    for (let i = 1; existsSync(join(dir, name)); i++) name = `${base}-${i}${SUFFIX}`;
    return name;
  }

  /** Moves a finished archive into place and records its checksum. */
  add(collection: string | undefined, name: string, tmpFile: string, info: ArchiveInfo): SnapshotDescription {
    const dir = collection === undefined ? this.dir : this.collectionDir(collection);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${name}.checksum`), info.checksum);
    renameSync(tmpFile, join(dir, name));
    return this.entry(dir, name)!;
  }

  list(collection: string | undefined): SnapshotDescription[] {
    const dir = collection === undefined ? this.dir : this.collectionDir(collection);
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((f) => f.endsWith(SUFFIX) && statSync(join(dir, f)).isFile())
      .sort()
      .map((f) => this.entry(dir, f)!)
      .filter((e) => e !== undefined);
  }

  /** The file of a snapshot, or a 404. */
  path(collection: string | undefined, name: string): string {
    checkName(name);
    const dir = collection === undefined ? this.dir : this.collectionDir(collection);
    const file = join(dir, name);
    if (!existsSync(file) || !statSync(file).isFile()) throw new VectorNotFoundError(`Snapshot ${name} not found`, 'VECTOR_SNAPSHOT_NOT_FOUND');
    return file;
  }

  delete(collection: string | undefined, name: string): void {
    const file = this.path(collection, name);
    rmSync(file, { force: true });
    rmSync(`${file}.checksum`, { force: true });
  }

  async checksumOf(file: string): Promise<string> {
    const sidecar = `${file}.checksum`;
    if (existsSync(sidecar)) return readFileSync(sidecar, 'utf8').trim();
    return (await describe(file)).checksum;
  }

  private entry(dir: string, name: string): SnapshotDescription | undefined {
    const file = join(dir, name);
    if (!existsSync(file)) return undefined;
    const st = statSync(file);
    const sidecar = `${file}.checksum`;
    return {
      name,
      creation_time: st.mtime.toISOString().slice(0, 19),
      size: st.size,
      checksum: existsSync(sidecar) ? readFileSync(sidecar, 'utf8').trim() : null,
    };
  }
}

/** Snapshot names are plain file names. */
export function checkName(name: string): void {
  if (name === '' || name.includes('/') || name.includes('\\') || name === '.' || name === '..' || name.includes('\0')) {
    throw new WrongInputError(`Invalid snapshot name ${JSON.stringify(name)}`, 'VECTOR_SNAPSHOT_NAME');
  }
}
