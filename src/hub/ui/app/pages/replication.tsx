import type { ReplicationView } from '../../../replication/view';
import { Listing, Table } from '../components/table';
import { Pill, Problem, Section } from '../components/ui';
import { usePoll } from '../hooks';

/**
 * The replica sets of a stack's embedded services: which replica leads, and how far each one is —
 * its applied position in the replicated log, its lag, whether it is in sync and ready to serve.
 */
export function ReplicaSets({ stack }: { stack: string }) {
  const { data, error } = usePoll<ReplicationView>('/api/replication', 2000);
  const sets = data?.sets.filter((s) => s.set.startsWith(`${stack}/`)) ?? [];
  return (
    <Section title="Replica sets">
      <Problem error={error} />
      <Listing rows={data ? sets : undefined} what="replica sets" empty="No embedded service in this stack.">
        {(rows) => (
          rows.map((s) => (
            <div key={s.set} className="replica-set">
              <h3>
                {s.set} <Pill value={s.phase === 'stable' || s.phase === 'standalone' ? 'running' : 'starting'} label={s.phase} />{' '}
                <span className="muted small">
                  epoch {s.epoch} · leader {s.leader ?? '—'}
                </span>
              </h3>
              <Table columns={['Replica', 'Agent', 'Role', 'Applied', 'Lag', 'In sync', 'Ready', 'Detail']} label={`Replicas of ${s.set}`}>
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
              </Table>
            </div>
          ))
        )}
      </Listing>
    </Section>
  );
}
