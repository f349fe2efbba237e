import type { Logger } from '../core/log.js';
import type { AuditEntry, AuditQuery, AuditStore, NewAuditEntry } from './store/audit.js';

/**
 * The audit log: every change (and every refused attempt at one) with who, what, when and from
 * where. Entries go to SQLite and, as one JSON line each, to the hub's log.
 */
export class AuditLog {
  constructor(
    private readonly store: AuditStore,
    private readonly logger: Logger,
  ) {}

  record(e: NewAuditEntry): void {
    const id = this.store.append(e);
    this.logger.info({ audit: id, actor: e.actor, actorKind: e.actorKind, action: e.action, target: e.target, outcome: e.outcome, status: e.status, client: e.client }, 'audit');
  }

  /** A change the hub made by itself (an automatic rollback, an enrollment). */
  system(action: string, target: string | null, detail: Record<string, unknown> | null = null, actor = 'hub'): void {
    this.record({ actor, actorKind: 'system', action, target, outcome: 'ok', status: null, client: null, userAgent: null, detail });
  }

  list(q: AuditQuery): AuditEntry[] {
    return this.store.list(q);
  }
}
