import { createHash, randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { Collection } from './collection.js';
import { WrongInputError } from '../errors.js';
import { PointStore } from './point-store.js';
import type { CollectionConfig } from './config.js';
import { syncDir } from '../../core/durable-file.js';

/**
 * Where collections live on disk: `<dataDir>/collections/<dir>/`, one directory per collection
 * (its checkpoint store, operation log and saved indexes). The directory name is derived from the
 * collection name (kept readable when it is plain, hashed otherwise); the true name is stored
 * inside. Creation and deletion are atomic renames, so a crash never leaves half a collection.
 */
export class Catalog {
  private readonly root: string;

  constructor(
    dataDir: string,
    private readonly logger?: Logger,
  ) {
    this.root = join(dataDir, 'collections');
    mkdirSync(this.root, { recursive: true });
    for (const entry of readdirSync(this.root)) {
      if (entry.startsWith('.')) rmSync(join(this.root, entry), { recursive: true, force: true }); // interrupted create/delete
    }
  }

  /** Opens every collection. */
  openAll(): Collection[] {
    const out: Collection[] = [];
    for (const entry of readdirSync(this.root).sort()) {
      if (entry.startsWith('.')) continue;
      try {
        out.push(Collection.open(join(this.root, entry), this.logger));
      } catch (err) {
        this.logger?.error({ err, dir: entry }, 'collection could not be opened; left as it is');
      }
    }
    return out;
  }

  create(name: string, config: CollectionConfig): Collection {
    const staging = join(this.root, `.new-${randomUUID()}`);
    PointStore.create(join(staging, 'points.db'), { name, config, payloadIndexes: [] }).close();
    return this.moveIn(staging, name);
  }

  /**
   * Copies a snapshot directory (written by `Collection.snapshot`) into a staging directory as
   * collection `name` and opens it there once, in full (state, points, log replay, saved graph), so a
   * damaged snapshot is refused before anything live is touched. Throws `WrongInputError` then
   * (the staging directory is gone). `moveIn` puts a staged copy in place.
   */
  stage(name: string, fromDir: string): string {
    const staging = join(this.root, `.new-${randomUUID()}`);
    try {
      cpSync(fromDir, staging, { recursive: true });
      const store = PointStore.open(join(staging, 'points.db'), true);
      try {
        store.rename(name);
      } finally {
        store.close();
      }
      Collection.open(staging).drop(); // the whole load, then closed without writing anything
      return staging;
    } catch (err) {
      rmSync(staging, { recursive: true, force: true });
      throw new WrongInputError(`snapshot is not a valid collection: ${err instanceof Error ? err.message : String(err)}`, 'VECTOR_SNAPSHOT_INVALID');
    }
  }

  /** Opens a staged copy (see `stage`) as collection `name`, replacing one of that name (the caller has dropped it). */
  moveIn(staging: string, name: string): Collection {
    const target = this.dirOf(name);
    if (existsSync(target)) this.remove(target);
    renameSync(staging, target);
    syncDir(this.root);
    return Collection.open(target, this.logger);
  }

  /** Deletes a collection's files (after `drop()`); the directory disappears atomically first. */
  delete(c: Collection): void {
    this.remove(c.dir);
  }

  private remove(dir: string): void {
    const trash = join(this.root, `.deleted-${randomUUID()}`);
    renameSync(dir, trash);
    rmSync(trash, { recursive: true, force: true });
  }

  dirOf(name: string): string {
    const plain = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}$/.test(name);
    const dirName = plain ? name : `${Buffer.from(name, 'utf8').toString('hex').slice(0, 64)}-${createHash('sha256').update(name).digest('hex').slice(0, 16)}`;
    return join(this.root, dirName);
  }
}
