/**
 * What `GET /api/replication` answers: each replica set, its leader and how far each replica is.
 * No imports: the console (src/hub/ui, its own tsconfig, built for the browser) uses these types too.
 */
export interface ReplicationView {
  sets: ReplicaSetView[];
}

export interface ReplicaSetView {
  set: string;
  phase: 'standalone' | 'stable' | 'draining' | 'electing';
  epoch: number;
  leader: string | null;
  logId: string | null;
  replicas: ReplicaView[];
}

export interface ReplicaView {
  id: string;
  agent: string | null;
  state: string;
  retiring: boolean;
  joining: boolean;
  role: string | null;
  epoch: number | null;
  position: number | null;
  /** First record the replica's log still holds. */
  logStart: number | null;
  lag: number | null;
  inSync: boolean | null;
  ready: boolean | null;
  detail: string | null;
  dirty: boolean;
  /** A leader's view of its followers. */
  followers: Array<{ id: string; position: number; lag: number; inSync: boolean }> | null;
  snapshotsInstalled: number;
  reportedMsAgo: number | null;
}
