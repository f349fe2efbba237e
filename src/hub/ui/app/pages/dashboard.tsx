import type { Status } from '../api';
import { PillCell, Table } from '../components/table';
import { Empty, Loading, PageHeader, Problem, Section } from '../components/ui';
import { ago } from '../format';
import { usePoll } from '../hooks';
import { Link } from '../router';

/** Every role's health, the stacks with their instances, and rolling updates in progress. */
export function Dashboard() {
  const { data, error } = usePoll<Status>('/api/status', 3000);
  return (
    <>
      <PageHeader title="Dashboard" />
      <Problem error={error} />
      {!data ? (
        <Loading what="status" />
      ) : (
        <>
          <div className="tiles">
            <Tile label="Roles healthy" value={`${data.roles.filter((r) => r.healthy).length} / ${data.roles.length}`} good={data.roles.every((r) => r.healthy)} />
            <Tile label="Instances running" value={`${data.instances.filter((i) => i.desired && i.state === 'running').length} / ${data.instances.filter((i) => i.desired).length}`} good={data.instances.filter((i) => i.desired).every((i) => i.state === 'running')} />
            <Tile label="Stacks" value={String(data.stacks.length)} good />
            <Tile label="Rolling updates" value={String(data.rollouts.length)} good={data.rollouts.length === 0} />
          </div>
          <Section title="Roles">
            <Table columns={['Role', 'Name', 'Health', 'Detail', 'Last seen']}>
              {data.roles.map((r) => (
                <tr key={`${r.role}/${r.name}`}>
                  <td>{r.role}</td>
                  <td>{r.name}</td>
                  <PillCell value={r.healthy ? 'healthy' : 'unhealthy'} />
                  <td className="detail">{r.detail}</td>
                  <td>{ago(r.lastSeenAt)}</td>
                </tr>
              ))}
            </Table>
          </Section>
          {data.rollouts.length > 0 ? (
            <Section title="Rolling updates in progress">
              <ul>
                {data.rollouts.map((r) => (
                  <li key={r.id}>
                    <Link to={`/stacks/${r.stack}`}>{r.stack}</Link>: version {r.fromVersion ?? '—'} → {r.toVersion} ({r.kind}), {r.done.length} done, {r.current.length} moving, {r.pending.length} waiting — {r.detail}
                  </li>
                ))}
              </ul>
            </Section>
          ) : null}
          <Section title="Stacks">
            {data.stacks.length === 0 ? <Empty>No stacks.</Empty> : null}
            {data.stacks.map((s) => (
              <div key={s.name} className="stack-summary">
                <h3>
                  <Link to={`/stacks/${s.name}`}>{s.name}</Link> <span className="muted">version {s.version}</span>
                </h3>
                <Table columns={['Instance', 'Service', 'Agent', 'State', 'Health', 'Routed']}>
                  {data.instances
                    .filter((i) => i.stack === s.name)
                    .map((i) => (
                      <tr key={`${i.id}@${i.agent}`}>
                        <td>{i.id}</td>
                        <td>{i.service}</td>
                        <td>{i.agent ?? '—'}</td>
                        <PillCell value={i.state} />
                        <PillCell value={i.health} />
                        <td>{i.routed ? 'yes' : 'no'}</td>
                      </tr>
                    ))}
                </Table>
              </div>
            ))}
          </Section>
        </>
      )}
    </>
  );
}

function Tile({ label, value, good }: { label: string; value: string; good: boolean }) {
  return (
    <div className={`tile ${good ? 'tile-ok' : 'tile-warn'}`}>
      <span className="tile-value">{value}</span>
      <span className="tile-label">{label}</span>
    </div>
  );
}
