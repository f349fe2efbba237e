import { request, type Agent } from 'undici';
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import { createMtlsAgent, IdentityPolicy, type TlsIdentity } from '../../core/tls/index.js';
import type { ReportedInstance, SyncAnswer } from '../report/hub-client.js';

/** The fields of a replica's status whose change is worth an early sync (positions move all the time). */
const SIGNIFICANT = ['bootId', 'mode', 'role', 'epoch', 'leader', 'ready', 'inSync', 'drained', 'dirty', 'logId'] as const;

export interface RelayOptions {
  /** The agent's own identity: replicas admit `agent/*` on their replication admin path only. */
  identity: TlsIdentity;
  logger: Logger;
  /** Something the hub should know soon changed (a role, an epoch, readiness): sync now. */
  onChange: () => void;
}

/**
 * The agent's part of replication, on the Portainer model (no new network flow): the hub's sync
 * answer carries each local replica's assignment (role, epoch, leader, members); the agent puts it
 * to the replica over mTLS (`PUT /phoenix/replication/assignment`, checking the replica's exact
 * identity) and keeps the status the replica answers, which goes back to the hub with the next
 * sync. Relays one answer at a time; a replica that is not running yet gets it on a later sync.
 */
export class ReplicationRelay {
  /** Each replica's last status, with the address of the process that gave it. */
  private readonly statuses = new Map<string, { url: string; status: Record<string, unknown> }>();
  private readonly agents = new Map<string, Agent>();
  private busy = false;

  constructor(private readonly o: RelayOptions) {}

  /** The reports with each replica's last known replication status. */
  decorate(reports: ReportedInstance[]): ReportedInstance[] {
    return reports.map((r) => {
      const held = this.statuses.get(r.id);
      // A restarted replica listens elsewhere: its predecessor's status says nothing about it.
      return held && r.state === 'running' && held.url === r.url ? { ...r, replication: held.status } : r;
    });
  }

  /** Puts each assignment of `answer` to its replica and keeps the answers. */
  async relay(answer: SyncAnswer, reports: readonly ReportedInstance[]): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const assignments = answer.replication ?? {};
      for (const id of this.statuses.keys()) if (!(id in assignments)) this.statuses.delete(id);
      let changed = false;
      await Promise.all(
        Object.entries(assignments).map(async ([id, assignment]) => {
          const report = reports.find((r) => r.id === id);
          const identity = answer.instances.find((i) => i.id === id)?.identity;
          if (!report?.url || report.state !== 'running' || !identity) {
            this.statuses.delete(id);
            return;
          }
          try {
            const status = await this.put(report.url, identity, assignment);
            const before = this.statuses.get(id)?.status;
            this.statuses.set(id, { url: report.url, status });
            if (!before || SIGNIFICANT.some((k) => before[k] !== status[k])) changed = true;
          } catch (err) {
            this.o.logger.debug({ instance: id, err: errorMessage(err) }, 'cannot relay the replication assignment');
          }
        }),
      );
      if (changed) this.o.onChange();
    } finally {
      this.busy = false;
    }
  }

  private async put(url: string, identity: string, assignment: unknown): Promise<Record<string, unknown>> {
    const dispatcher = this.dispatcher(identity);
    const res = await request(`${url}/phoenix/replication/assignment`, {
      method: 'PUT',
      dispatcher,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(assignment),
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
    const text = await res.body.text();
    if (res.statusCode === 409) {
      // An older assignment than the replica's epoch (the hub moved on in between): read its status.
      const again = await request(`${url}/phoenix/replication/status`, { dispatcher, headersTimeout: 5000, bodyTimeout: 5000 });
      const body = await again.body.text();
      if (again.statusCode !== 200) throw new Error(`status answered ${again.statusCode}`);
      return JSON.parse(body) as Record<string, unknown>;
    }
    if (res.statusCode !== 200) throw new Error(`assignment answered ${res.statusCode}: ${text.slice(0, 200)}`);
    return JSON.parse(text) as Record<string, unknown>;
  }

  private dispatcher(identity: string): Agent {
    let agent = this.agents.get(identity);
    if (!agent) {
      agent = createMtlsAgent(this.o.identity, { serverPolicy: IdentityPolicy.fromPattern(identity), agent: { connectTimeout: 3000 } });
      this.agents.set(identity, agent);
    }
    return agent;
  }

  async close(): Promise<void> {
    await Promise.all([...this.agents.values()].map((a) => a.close().catch(() => undefined)));
    this.agents.clear();
  }
}
