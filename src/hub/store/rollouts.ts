import type { HubDatabase } from './db.js';

export const ROLLOUT_STATES = ['running', 'succeeded', 'failed', 'rolled_back', 'paused', 'superseded'] as const;
export type RolloutState = (typeof ROLLOUT_STATES)[number];
export type RolloutKind = 'update' | 'rollback' | 'redeploy';

/** One rolling deployment of a stack version: which instances are still to move, moving, and moved. */
export interface Rollout {
  id: number;
  stack: string;
  fromVersion: number | null;
  toVersion: number;
  kind: RolloutKind;
  state: RolloutState;
  detail: string;
  pending: string[];
  current: string[];
  done: string[];
  /** When the current batch started (draining) or switched; drives drain and monitor timeouts. */
  stepStartedAt: number | null;
  startedAt: number;
  finishedAt: number | null;
  actor: string;
}

interface Row extends Omit<Rollout, 'pending' | 'current' | 'done'> {
  pending: string;
  current: string;
  done: string;
}

const COLUMNS =
  'id, stack, from_version AS fromVersion, to_version AS toVersion, kind, state, detail, pending, current, done, step_started_at AS stepStartedAt, started_at AS startedAt, finished_at AS finishedAt, actor';
const fromRow = (r: Row): Rollout => ({ ...r, pending: JSON.parse(r.pending) as string[], current: JSON.parse(r.current) as string[], done: JSON.parse(r.done) as string[] });

export class RolloutStore {
  constructor(private readonly db: HubDatabase) {}

  create(r: Omit<Rollout, 'id'>): Rollout {
    const res = this.db
      .prepare(
        `INSERT INTO rollouts (stack, from_version, to_version, kind, state, detail, pending, current, done, step_started_at, started_at, finished_at, actor)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(r.stack, r.fromVersion, r.toVersion, r.kind, r.state, r.detail, JSON.stringify(r.pending), JSON.stringify(r.current), JSON.stringify(r.done), r.stepStartedAt, r.startedAt, r.finishedAt, r.actor);
    return { ...r, id: Number(res.lastInsertRowid) };
  }

  update(r: Rollout): void {
    this.db
      .prepare('UPDATE rollouts SET state = ?, detail = ?, pending = ?, current = ?, done = ?, step_started_at = ?, finished_at = ? WHERE id = ?')
      .run(r.state, r.detail, JSON.stringify(r.pending), JSON.stringify(r.current), JSON.stringify(r.done), r.stepStartedAt, r.finishedAt, r.id);
  }

  get(id: number): Rollout | undefined {
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM rollouts WHERE id = ?`).get(id) as Row | undefined;
    return row && fromRow(row);
  }

  active(): Rollout[] {
    return (this.db.prepare(`SELECT ${COLUMNS} FROM rollouts WHERE state IN ('running') ORDER BY id`).all() as Row[]).map(fromRow);
  }

  activeFor(stack: string): Rollout | undefined {
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM rollouts WHERE stack = ? AND state IN ('running', 'paused') ORDER BY id DESC LIMIT 1`).get(stack) as Row | undefined;
    return row && fromRow(row);
  }

  /** Newest first. */
  list(stack?: string, limit = 50): Rollout[] {
    const rows = stack === undefined
      ? this.db.prepare(`SELECT ${COLUMNS} FROM rollouts ORDER BY id DESC LIMIT ?`).all(limit)
      : this.db.prepare(`SELECT ${COLUMNS} FROM rollouts WHERE stack = ? ORDER BY id DESC LIMIT ?`).all(stack, limit);
    return (rows as Row[]).map(fromRow);
  }
}
