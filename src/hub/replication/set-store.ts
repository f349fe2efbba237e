import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileDurably } from '../../core/durable-file.js';

/** What the controller keeps about one replica set (`<stack>/<service>`). */
export interface SetState {
  /** Leadership epoch; only ever grows (replicas refuse anything older). */
  epoch: number;
  phase: 'standalone' | 'stable' | 'draining' | 'electing';
  leader: string | null;
  /** The leader's boot id when it took the lead: a different one means it restarted (and lost its in-sync bookkeeping). */
  leaderBoot: string | null;
  /** The log generation the set's data follows (the leader's). */
  logId: string | null;
  /** Members that have not caught up once yet: they do not vote (a write does not wait for a majority with them). */
  joining: string[];
  /** When the phase began. */
  since: number;
  previousLeader: string | null;
}

export function newSet(now: number): SetState {
  return { epoch: 0, phase: 'standalone', leader: null, leaderBoot: null, logId: null, joining: [], since: now, previousLeader: null };
}

/**
 * The controller's state in `<hub dataDir>/replication.json` (atomic rename, fsynced): epochs must
 * survive a hub restart, or a new epoch could repeat an old one and fencing would not hold.
 */
export class SetStore {
  private sets = new Map<string, SetState>();
  private saved = '';

  constructor(private readonly file: string) {
    if (existsSync(file)) {
      const data = JSON.parse(readFileSync(file, 'utf8')) as Record<string, SetState>;
      for (const [k, v] of Object.entries(data)) this.sets.set(k, v);
      this.saved = JSON.stringify(data);
    }
  }

  get(key: string, now: number): SetState {
    let s = this.sets.get(key);
    if (!s) {
      s = newSet(now);
      this.sets.set(key, s);
    }
    return s;
  }

  peek(key: string): SetState | undefined {
    return this.sets.get(key);
  }

  keys(): string[] {
    return [...this.sets.keys()];
  }

  /** Writes the state when it changed. */
  save(): void {
    const text = JSON.stringify(Object.fromEntries(this.sets));
    if (text === this.saved) return;
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileDurably(this.file, text);
    this.saved = text;
  }
}
