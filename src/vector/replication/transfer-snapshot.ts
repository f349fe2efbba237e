import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Engine } from '../engine/engine.js';
import { WrongInputError } from '../errors.js';
import { createArchive, extractArchive } from '../snapshots/archive.js';
import type { Incarnation } from './state.js';

/**
 * The snapshot a follower starts from when the leader's log no longer holds its position (or it
 * is new, or its log diverged): every collection's snapshot (`Collection.snapshot`, a consistent
 * checkpoint of each), the aliases, the incarnations, and the log position `position` the
 * follower streams on from. Collections are copied one after the other while writes go on, so a
 * collection may already hold writes after `position`; replaying them is harmless (a collection
 * skips operations it already has), which makes the copy exact once the follower has caught up.
 */
export interface TransferInfo {
  logId: string;
  position: number;
  epoch: number;
  incarnations: Record<string, Incarnation>;
  aliases: Array<{ alias_name: string; collection_name: string }>;
  /** Directory name in the archive → collection name. */
  collections: Record<string, string>;
}

const infoSchema = z.object({
  logId: z.string(),
  position: z.number().int().min(0),
  epoch: z.number().int().min(0),
  incarnations: z.record(z.string(), z.object({ inc: z.number(), base: z.number() })),
  aliases: z.array(z.object({ alias_name: z.string(), collection_name: z.string() })),
  collections: z.record(z.string(), z.string()),
});

/** Writes the transfer archive into `workDir`; the caller streams and then removes it. */
export async function createTransfer(engine: Engine, info: Omit<TransferInfo, 'collections' | 'aliases'>, workDir: string): Promise<{ file: string; dir: string }> {
  mkdirSync(workDir, { recursive: true });
  const dir = mkdtempSync(join(workDir, '.transfer-'));
  try {
    const content = join(dir, 'content');
    const collections: Record<string, string> = {};
    let i = 0;
    for (const name of engine.names()) {
      const entry = `c${i++}`;
      await engine.get(name).snapshot(join(content, 'collections', entry));
      collections[entry] = name;
    }
    mkdirSync(content, { recursive: true });
    const full: TransferInfo = { ...info, aliases: engine.aliases.list(), collections };
    writeFileSync(join(content, 'replication.json'), JSON.stringify(full));
    const file = join(dir, 'transfer.tar');
    await createArchive(content, file);
    return { file, dir };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Replaces every collection and alias of `engine` with the archive's; returns the archive's info.
 * Collections the archive does not have are deleted.
 */
export async function installTransfer(engine: Engine, archive: string, workDir: string): Promise<TransferInfo> {
  mkdirSync(workDir, { recursive: true });
  const dir = mkdtempSync(join(workDir, '.install-'));
  try {
    await extractArchive(archive, dir);
    const file = join(dir, 'replication.json');
    if (!existsSync(file)) throw new WrongInputError('not a replication snapshot (no replication.json)', 'VECTOR_SNAPSHOT_INVALID');
    const info = infoSchema.parse(JSON.parse(readFileSync(file, 'utf8'))) as TransferInfo;
    const incoming = new Set(Object.values(info.collections));
    engine.aliases.apply(
      engine.aliases.list().map((a) => ({ type: 'delete' as const, alias: a.alias_name })),
      () => undefined,
    );
    for (const name of engine.names()) if (!incoming.has(name)) engine.delete(name);
    for (const [entry, name] of Object.entries(info.collections)) await engine.restore(name, join(dir, 'collections', entry));
    engine.aliases.apply(
      info.aliases.map((a) => ({ type: 'create' as const, alias: a.alias_name, collection: a.collection_name })),
      () => undefined,
    );
    return info;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Checks that an archive is a collection snapshot before the leader logs its recovery. */
export async function checkCollectionArchive(archive: string, workDir: string): Promise<void> {
  mkdirSync(workDir, { recursive: true });
  const dir = mkdtempSync(join(workDir, '.check-'));
  try {
    await extractArchive(archive, dir);
    if (!existsSync(join(dir, 'snapshot.json')) || !existsSync(join(dir, 'points.db'))) {
      throw new WrongInputError('Snapshot archive is not a Phoenix collection snapshot (no snapshot.json / points.db)', 'VECTOR_SNAPSHOT_INVALID');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
