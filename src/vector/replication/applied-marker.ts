import type { Entry } from './mutation.js';

/**
 * Tracks how far this replica's records are applied *and durable* in the collections, so the state
 * file can say where recovery replays from: `seq` is the last record such that every record up to
 * it is on disk in the replication log and applied durably, and `cops` are the operation numbers
 * the log holds for each collection up to there (recovery compares them with the collections'
 * own positions to find writes a crashed leader applied but never logged).
 */
export class AppliedMarker {
  private outstanding = new Set<number>();
  private tracked: number;
  private cops = new Map<string, { seq: number; cop: number | undefined }[]>();
  private folded: Record<string, number>;

  constructor(start: { seq: number; cops: Record<string, number> }) {
    this.tracked = start.seq;
    this.folded = { ...start.cops };
  }

  /** A record was appended (and, for a write, applied with `durable` pending). Records arrive in order. */
  note(seq: number, entry: Entry, durable?: Promise<void>): void {
    this.tracked = seq;
    const name = entry.kind === 'op' ? entry.collection : entry.kind === 'aliases' ? undefined : entry.name;
    if (name !== undefined) {
      const list = this.cops.get(name) ?? [];
      list.push({ seq, cop: entry.kind === 'op' ? entry.cop : undefined }); // create/delete/restore reset the collection's numbering
      this.cops.set(name, list);
    }
    if (durable) {
      this.outstanding.add(seq);
      durable.then(
        () => this.outstanding.delete(seq),
        () => undefined, // stays outstanding: recovery replays from before it
      );
    }
  }

  /** The marker to persist, given the log's durable end. */
  marker(logDurable: number): { seq: number; cops: Record<string, number> } {
    let seq = Math.min(logDurable, this.tracked);
    for (const s of this.outstanding) if (s - 1 < seq) seq = s - 1;
    for (const [name, list] of this.cops) {
      let i = 0;
      for (; i < list.length && list[i]!.seq <= seq; i++) {
        const cop = list[i]!.cop;
        if (cop === undefined) delete this.folded[name];
        else Object.defineProperty(this.folded, name, { value: cop, enumerable: true, writable: true, configurable: true });
      }
      if (i === list.length) this.cops.delete(name);
      else list.splice(0, i);
    }
    return { seq, cops: { ...this.folded } };
  }

  /** After a snapshot install or a new log generation. */
  reset(start: { seq: number; cops: Record<string, number> }): void {
    this.outstanding.clear();
    this.cops.clear();
    this.tracked = start.seq;
    this.folded = { ...start.cops };
  }
}
