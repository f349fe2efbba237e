import { PhoenixError } from '../../core/errors.js';

/**
 * Errors of the replicated vector service, rendered in Qdrant's envelope like every vector error.
 * `NotLeaderError` never reaches a client: the API forwards the request to the leader instead.
 */

/** This replica cannot take the write itself; the request goes to the leader. */
export class NotLeaderError extends PhoenixError {
  constructor(detail = 'this replica is not the leader of its replica set') {
    super('VECTOR_NOT_LEADER', 503, `Service unavailable: ${detail}`);
  }
}

/** No leader could take the request in time (an election or a catch-up took too long). */
export class ReplicationUnavailableError extends PhoenixError {
  constructor(detail: string) {
    super('VECTOR_REPLICATION_UNAVAILABLE', 503, `Service unavailable: ${detail}`);
  }
}

/**
 * The write is applied and durable on the leader but not confirmed by enough replicas in time
 * (`wait=true`); its outcome after a failover is unknown. Retrying an idempotent write is safe.
 */
export class ReplicationTimeoutError extends PhoenixError {
  constructor(seq: number, detail: string) {
    super('VECTOR_REPLICATION_TIMEOUT', 503, `Service unavailable: write ${seq} is on the leader but was not confirmed by the replicas in time (${detail}); retry it`);
  }
}

/** The leader lost its leadership while the write waited for the replicas; its outcome is unknown. */
export class LeadershipLostError extends PhoenixError {
  constructor(seq: number) {
    super('VECTOR_LEADERSHIP_LOST', 503, `Service unavailable: leadership changed while write ${seq} waited for the replicas; retry it`);
  }
}

/** The local state cannot take a record of the leader's log: this replica must resync from a snapshot. */
export class DivergedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DivergedError';
  }
}
