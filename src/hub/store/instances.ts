import type { HubDatabase } from './db.js';

/** What an agent says about a replica it runs. */
export const REPORTED_STATES = ['starting', 'running', 'backoff', 'stopped', 'failed'] as const;
export type ReportedState = (typeof REPORTED_STATES)[number];

/** The reported health check result of an instance. */
export const HEALTH_STATES = ['healthy', 'unhealthy', 'starting', 'unknown'] as const;
export type HealthState = (typeof HEALTH_STATES)[number];

/** What else an agent reports about an instance (kept as JSON). */
export interface InstanceExtra {
  /** The spec hash the instance runs with (decides whether it matches its slot). */
  specHash?: string;
  health?: { status: HealthState; detail: string; checkedAt?: number };
  /** `found`: the agent found it on its disk and no hub has claimed it yet (adoptable). */
  origin?: 'hub' | 'found';
  runtime?: string;
  /** For found instances: the runtime spec they were started with (used when adopting). */
  spec?: Record<string, unknown>;
  lastExit?: { code: number | null; signal: string | null; at: number };
}

export interface InstanceReport {
  id: string;
  agent: string;
  state: ReportedState;
  pid: number | null;
  url: string | null;
  restarts: number;
  startedAt: number | null;
  lastReportAt: number;
  extra: InstanceExtra;
}

/** Which agent runs which desired instance. */
export interface Assignment {
  instanceId: string;
  stack: string;
  service: string;
  agent: string;
  assignedAt: number;
}

const REPORT_COLUMNS = 'id, agent, state, pid, url, restarts, started_at AS startedAt, last_report_at AS lastReportAt, extra';
const ASSIGNMENT_COLUMNS = 'instance_id AS instanceId, stack, service, agent, assigned_at AS assignedAt';

/** The instance registry (agents' reports) and the assignment of desired instances to agents. */
export class InstanceStore {
  constructor(private readonly db: HubDatabase) {}

  /** Replaces everything `agent` reported before with `reports` (what it runs now). */
  replaceReports(agent: string, reports: readonly InstanceReport[]): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM instances WHERE agent = ?').run(agent);
      const insert = this.db.prepare(
        'INSERT INTO instances (id, agent, state, pid, url, restarts, started_at, last_report_at, extra) VALUES (@id, @agent, @state, @pid, @url, @restarts, @startedAt, @lastReportAt, @extra)',
      );
      for (const r of reports) insert.run({ ...r, agent, extra: JSON.stringify(r.extra) });
    })();
  }

  reports(): InstanceReport[] {
    const rows = this.db.prepare(`SELECT ${REPORT_COLUMNS} FROM instances ORDER BY id, agent`).all() as Array<Omit<InstanceReport, 'extra'> & { extra: string | null }>;
    return rows.map((r) => ({ ...r, extra: r.extra ? (JSON.parse(r.extra) as InstanceExtra) : {} }));
  }

  /** Forgets what an agent reported (the agent was removed). */
  forgetAgent(agent: string): void {
    this.db.prepare('DELETE FROM instances WHERE agent = ?').run(agent);
  }

  assignments(): Assignment[] {
    return this.db.prepare(`SELECT ${ASSIGNMENT_COLUMNS} FROM assignments ORDER BY instance_id`).all() as Assignment[];
  }

  /** Makes `next` the whole assignment table. */
  setAssignments(next: readonly Assignment[]): void {
    this.db.transaction(() => {
      const keep = new Set(next.map((a) => a.instanceId));
      for (const a of this.assignments()) if (!keep.has(a.instanceId)) this.db.prepare('DELETE FROM assignments WHERE instance_id = ?').run(a.instanceId);
      const upsert = this.db.prepare(
        `INSERT INTO assignments (instance_id, stack, service, agent, assigned_at) VALUES (@instanceId, @stack, @service, @agent, @assignedAt)
         ON CONFLICT(instance_id) DO UPDATE SET stack = excluded.stack, service = excluded.service, agent = excluded.agent, assigned_at = excluded.assigned_at`,
      );
      for (const a of next) upsert.run(a);
    })();
  }
}
