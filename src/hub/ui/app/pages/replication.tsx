import { Empty, Loading, Pill, Problem, Section } from '../components/ui';
import { usePoll } from '../hooks';

interface ReplicaView {
  id: string;
  agent: string | null;
  state: string;
  retiring: boolean;
  joining: boolean;
  role: string | null;
  epoch: number | null;
  position: number | null;
  lag: number | null;
  inSync: boolean | null;
  ready: boolean | null;
  detail: string | null;
  snapshotsInstalled: number;
}

interface SetView {
  set: string;
  phase: string;
  epoch: number;
  leader: string | null;
  replicas: ReplicaView[];
}

/**
 * The replica sets of a stack's embedded services: which replica leads, and how far each one is —
 * its applied position in the replicated log, its lag, whether it is in sync and ready to serve.
 */
export function ReplicaSets({ stack }: { stack: string }) {
  const { data, error } = usePoll<{ sets: SetView[] }>('/api/replication', 2000);
  const sets = data?.sets.filter((s) => s.set.startsWith(`${stack}/`)) ?? [];
  return (
    <Section title="Replica sets">
      <Problem error={error} />
      {!data ? (
        <Loading what="replica sets" />
      ) : sets.length === 0 ? (
        <Empty>No embedded service in this stack.</Empty>
      ) : (
        sets.map((s) => (
          <div key={s.set} className="replica-set">
            <h3>
              {s.set} <Pill value={s.phase === 'stable' || s.phase === 'standalone' ? 'running' : 'starting'} label={s.phase} />{' '}
              <span className="muted small">
                epoch {s.epoch} · leader {s.leader ?? '—'}
              </span>
            </h3>
            <table aria-label={`Replicas of ${s.set}`}>
              <thead>
                <tr>
                  <th scope="col">Replica</th>
                  <th scope="col">Agent</th>
                  <th scope="col">Role</th>
                  <th scope="col">Applied</th>
                  <th scope="col">Lag</th>
                  <th scope="col">In sync</th>
                  <th scope="col">Ready</th>
                  <th scope="col">Detail</th>
                </tr>
              </thead>
              <tbody>
                {s.replicas.map((r) => (
                  <tr key={r.id} data-replica={r.id}>
                    <th scope="row">
                      {r.id}
                      {r.joining ? <Pill value="starting" label="joining" /> : null}
                      {r.retiring ? <Pill value="draining" label="leaving" /> : null}
                    </th>
                    <td>{r.agent ?? '—'}</td>
                    <td>{r.role ?? r.state}</td>
                    <td>{r.position ?? '—'}</td>
                    <td data-testid="lag">{r.lag ?? '—'}</td>
                    <td>{r.inSync === null ? '—' : r.inSync ? 'yes' : 'no'}</td>
                    <td>{r.ready === null ? '—' : <Pill value={r.ready ? 'healthy' : 'starting'} label={r.ready ? 'ready' : 'not yet'} />}</td>
                    <td className="detail small">
                      {r.detail ?? ''}
                      {r.snapshotsInstalled > 0 ? ` (caught up by ${r.snapshotsInstalled} snapshot${r.snapshotsInstalled === 1 ? '' : 's'})` : ''}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))
      )}
    </Section>
  );
}
