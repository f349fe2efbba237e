import type { Me, Stack } from '../api';
import { Empty, Loading, PageHeader, Pill, Problem, Section, can } from '../components/ui';
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
        {!data ? (
          <Loading what="stacks" />
        ) : data.length === 0 ? (
          <Empty>No stacks yet.</Empty>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Stack</th>
                <th scope="col">Version</th>
                <th scope="col">Services</th>
                <th scope="col">Last change</th>
                <th scope="col">Rolling update</th>
              </tr>
            </thead>
            <tbody>
              {data.map((s) => (
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
            </tbody>
          </table>
        )}
      </Section>
    </>
  );
}
