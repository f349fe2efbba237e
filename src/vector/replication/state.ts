import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EpochStart } from './log.js';
import { writeFileDurably } from '../../core/durable-file.js';

/** A collection's incarnation: the seq of the record that created (or restored) it, and its operation number then. */
export interface Incarnation {
  inc: number;
  base: number;
}

/** The leader a replica follows, as its assignment names it. */
export interface PeerRef {
  id: string;
  url: string;
  identity: string;
}

/**
 * What a replica keeps about its place in the replica set, in `replication/state.json` (written to
 * a temporary file, fsynced, renamed, directory fsynced): the log generation it follows (`logId`),
 * the highest epoch it accepted (it refuses anything older), where its log starts, the epoch
 * history, the applied marker recovery replays from, and the incarnations of its collections.
 */
export interface ReplicaStateData {
  version: 1;
  /** `none`: never assigned (a managed replica waits for its assignment); `standalone`: no replication. */
  mode: 'none' | 'standalone' | 'member';
  /** Identity of the log this replica's data follows; '' when it follows none (it needs a snapshot). */
  logId: string;
  epoch: number;
  base: { seq: number; epoch: number };
  epochs: EpochStart[];
  /** Every record up to `seq` is applied and durable; `cops` are the collections' logged operation numbers then. */
  applied: { seq: number; cops: Record<string, number> };
  incarnations: Record<string, Incarnation>;
  /** The leader of the last assignment. */
  leader: PeerRef | null;
  /** True while a snapshot is being installed (a crash then leaves the data unusable: resync). */
  installing: boolean;
}

export function emptyState(mode: ReplicaStateData['mode']): ReplicaStateData {
  return { version: 1, mode, logId: '', epoch: 0, base: { seq: 0, epoch: 0 }, epochs: [], applied: { seq: 0, cops: {} }, incarnations: {}, leader: null, installing: false };
}

export class ReplicaStateFile {
  readonly file: string;
  data: ReplicaStateData;

  constructor(dir: string, initialMode: ReplicaStateData['mode']) {
    this.file = join(dir, 'state.json');
    mkdirSync(dir, { recursive: true });
    this.data = existsSync(this.file) ? { ...emptyState(initialMode), ...(JSON.parse(readFileSync(this.file, 'utf8')) as Partial<ReplicaStateData>) } : emptyState(initialMode);
  }

  /** Changes the state and writes it durably. */
  update(change: (data: ReplicaStateData) => void): void {
    const next = structuredClone(this.data);
    change(next);
    writeFileDurably(this.file, JSON.stringify(next));
    this.data = next;
  }

  incarnation(collection: string): Incarnation | undefined {
    return Object.hasOwn(this.data.incarnations, collection) ? this.data.incarnations[collection] : undefined;
  }
}
