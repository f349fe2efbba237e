import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine } from '../engine/engine.js';
import { WrongInputError } from '../errors.js';
import { createArchive, extractArchive, sha256File } from './archive.js';
import type { SnapshotDescription, SnapshotStore } from './snapshot-store.js';

/**
 * Collection and full snapshots over the engine. A collection snapshot is a tar of the files the
 * collection writes for it (a consistent checkpoint, its indexes, `snapshot.json`); recovering one
 * replaces (or creates) the collection from those files. A full snapshot is a tar of one
 * collection snapshot per collection (`collections/<name>.snapshot`) plus `aliases.json`.
 */
export class Snapshots {
  constructor(
    private readonly engine: Engine,
    readonly store: SnapshotStore,
  ) {}

  async createCollection(name: string): Promise<SnapshotDescription> {
    const real = this.engine.resolve(name) ?? name;
    const collection = this.engine.get(name);
    const work = mkdtempSync(join(this.store.dir, '.tmp-'));
    try {
      const files = join(work, 'files');
      await collection.snapshot(files);
      const snapshotName = this.store.newName(real);
      const tmp = join(work, snapshotName);
      const info = await createArchive(files, tmp);
      return this.store.add(real, snapshotName, tmp, info);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }

  async createFull(): Promise<SnapshotDescription> {
    const work = mkdtempSync(join(this.store.dir, '.tmp-'));
    try {
      const content = join(work, 'content');
      const collections = join(content, 'collections');
      for (const name of this.engine.names()) {
        const files = join(work, 'collection', name);
        await this.engine.get(name).snapshot(files);
        mkdirSync(collections, { recursive: true });
        await createArchive(files, join(collections, `${name}.snapshot`));
      }
      writeFileSync(join(content, 'aliases.json'), JSON.stringify(Object.fromEntries(this.engine.aliases.list().map((a) => [a.alias_name, a.collection_name]))));
      writeFileSync(join(content, 'config.json'), JSON.stringify({ collections: this.engine.names(), createdAt: new Date().toISOString() }));
      const snapshotName = this.store.newName(undefined);
      const tmp = join(work, snapshotName);
      const info = await createArchive(content, tmp);
      return this.store.add(undefined, snapshotName, tmp, info);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }

  /** Recovers collection `name` from a local archive file, after checking its SHA-256 when one is given. */
  async recover(name: string, archive: string, checksum?: string): Promise<void> {
    if (checksum !== undefined) {
      const actual = await sha256File(archive);
      if (actual !== checksum.toLowerCase()) throw new WrongInputError(`Snapshot checksum mismatch: expected ${checksum}, got ${actual}`, 'VECTOR_SNAPSHOT_CHECKSUM');
    }
    const work = mkdtempSync(join(this.store.dir, '.tmp-'));
    try {
      const files = join(work, 'files');
      await extractArchive(archive, files);
      if (!existsSync(join(files, 'snapshot.json')) || !existsSync(join(files, 'points.db'))) {
        throw new WrongInputError('Snapshot archive is not a Phoenix collection snapshot (no snapshot.json / points.db)', 'VECTOR_SNAPSHOT_INVALID');
      }
      await this.engine.restore(name, files);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }

  /** A temporary file for an incoming archive, removed by `done`. */
  incoming(): { file: string; done: () => void } {
    const work = mkdtempSync(join(this.store.dir, '.tmp-'));
    return { file: join(work, 'incoming.snapshot'), done: () => rmSync(work, { recursive: true, force: true }) };
  }
}
