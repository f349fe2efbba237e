import type { Me, Stack } from '../api';
import { Listing, Table } from '../components/table';
import { PageHeader, Pill, Problem, Section, can } from '../components/ui';
import { ago } from '../format';
import { usePoll } from '../hooks';
import { Link } from '../router';

/** Every stack with its version, services and the rolling update in progress. */
export function Stacks({ me }: { me: Me }) {
  const { data, error } = usePoll<Stack[]>('/api/stacks', 3000);
  return (
    <>
      <PageHeader title="Stacks">
        {can(me.role, 'operator') ? (
          <Link to="/stacks/new" className="button primary">
            New stack
          </Link>
        ) : null}
      </PageHeader>
      <Problem error={error} />
      <Section title="Stacks">
        <Listing rows={data} what="stacks" empty="No stacks yet.">
          {(rows) => (
            <Table columns={['Stack', 'Version', 'Services', 'Last change', 'Rolling update']}>
              {rows.map((s) => (
                <tr key={s.name}>
                  <th scope="row">
                    <Link to={`/stacks/${s.name}`}>{s.name}</Link>
                  </th>
                  <td>{s.version}</td>
                  <td>
                    {s.services.map((svc) => (
                      <div key={svc.name}>
                        {svc.name} <span className="muted">({svc.runtime}, {svc.replicas} replica{svc.replicas === 1 ? '' : 's'})</span>
                      </div>
                    ))}
                  </td>
                  <td>
                    {ago(s.createdAt)}
                    {s.author ? ` by ${s.author}` : ''}
                    {s.note ? <div className="muted small">{s.note}</div> : null}
                  </td>
                  <td>{s.rollout ? <Pill value={s.rollout.state} label={`${s.rollout.state} → v${s.rollout.toVersion}`} /> : '—'}</td>
                </tr>
              ))}
            </Table>
          )}
        </Listing>
      </Section>
    </>
  );
}
