import { api, type Instance, type Me } from '../api';
import { Listing, PillCell, RowButton, Table } from '../components/table';
import { Done, Empty, PageHeader, Pill, Problem, Section, can } from '../components/ui';
import { ago } from '../format';
import { useAction, usePoll } from '../hooks';
import { Link } from '../router';

/** Every instance: where it runs, its state and health, whether it is routed; logs; adopting unmanaged ones. */
export function Instances({ me }: { me: Me }) {
  const { data, error, reload } = usePoll<Instance[]>('/api/instances', 2000);
  const action = useAction();
  const adopt = async (id: string) => {
    await action.run(() => api<{ name: string; version: number }>('POST', `/api/instances/${id}/adopt`), (r) => `Adopted ${id} into stack ${r.name} (version ${r.version}).`);
    reload();
  };
  const managed = data?.filter((i) => !i.unmanaged) ?? [];
  const unmanaged = data?.filter((i) => i.unmanaged) ?? [];
  return (
    <>
      <PageHeader title="Instances" />
      <Problem error={error ?? action.error} />
      <Done message={action.done} />
      <Section title="Instances">
        <Listing rows={data ? managed : undefined} what="instances" empty="No instances.">
          {(rows) => <InstanceTable me={me} rows={rows} />}
        </Listing>
      </Section>
      <Section title="Found on hosts, not managed by any stack">
        {unmanaged.length === 0 ? (
          <Empty>None. Instances an agent finds on its host that no stack asks for show here; they keep running until you adopt them.</Empty>
        ) : (
          <Table columns={['Instance', 'Agent', 'Runtime', 'State', 'Health']} actions>
            {unmanaged.map((i) => (
              <tr key={`${i.id}@${i.agent}`}>
                <th scope="row">{i.id}</th>
                <td>{i.agent}</td>
                <td>{i.runtime ?? '—'}</td>
                <PillCell value={i.state} />
                <PillCell value={i.health} />
                <td>
                  {can(me.role, 'operator') ? (
                    <RowButton tone="primary" onClick={() => void adopt(i.id)} disabled={action.busy} name={`Adopt ${i.id}`}>
                      Adopt
                    </RowButton>
                  ) : null}
                </td>
              </tr>
            ))}
          </Table>
        )}
      </Section>
    </>
  );
}

function InstanceTable({ me, rows }: { me: Me; rows: readonly Instance[] }) {
  return (
    <Table columns={['Instance', 'Agent', 'State', 'Health', 'Routed', 'Version', 'Restarts', 'Started']} actions>
      {rows.map((i) => (
        <tr key={`${i.id}@${i.agent}`}>
          <th scope="row">
            {i.id}
            <div className="muted small">
              {i.runtime ?? ''} {i.url ?? ''} {i.pid ? `pid ${i.pid}` : ''}
            </div>
          </th>
          <td>{i.agent ?? '—'}</td>
          <td>
            <Pill value={i.state} />
            {i.draining ? <Pill value="draining" /> : null}
            {i.retiring ? <Pill value="draining" label="stopping" /> : null}
            {!i.desired ? <Pill value="stopped" label="being stopped" /> : null}
          </td>
          <PillCell value={i.health}>{i.healthDetail ? <div className="muted small detail">{i.healthDetail}</div> : null}</PillCell>
          <td>{i.routed ? 'yes' : 'no'}</td>
          <td>
            {i.version ?? '—'}
            {i.desired && !i.upToDate && i.state !== 'pending' ? <div className="muted small">updating</div> : null}
          </td>
          <td>
            {i.restarts}
            {i.lastExit ? <div className="muted small">last exit {i.lastExit.signal ?? `code ${i.lastExit.code}`}</div> : null}
          </td>
          <td>{ago(i.startedAt)}</td>
          <td>
            {can(me.role, 'operator') && i.agent ? (
              <Link to={`/instances/${encodeURIComponent(i.id)}/logs`} className="button" aria-label={`Logs of ${i.id}`}>
                Logs
              </Link>
            ) : null}
          </td>
        </tr>
      ))}
    </Table>
  );
}
