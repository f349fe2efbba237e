import type { RoleStatus } from '../api';
import { PillCell, Table } from '../components/table';
import { Empty, Loading, PageHeader, Pill, Problem, Section } from '../components/ui';
import { ago } from '../format';
import { usePoll } from '../hooks';

interface RouterService {
  name: string;
  stack: string;
  rule: string;
  hosts: string[];
  default: boolean;
  healthCheck: { path: string; intervalMs: number; timeoutMs: number };
  backends: Array<{ id: string; url: string; identity: string }>;
  external: Array<{ id: string; url: string }>;
  instances: Array<{ id: string; agent: string | null; state: string; health: string; healthDetail: string; routed: boolean; draining: boolean; retiring: boolean; url: string | null }>;
}

/** What the routers get from the hub: routes, services, backends and their health, and who polls. */
export function RouterView() {
  const { data, error } = usePoll<{ routers: RoleStatus[]; services: RouterService[] }>('/api/router', 3000);
  return (
    <>
      <PageHeader title="Router" />
      <Problem error={error} />
      {!data ? (
        <Loading what="the router view" />
      ) : (
        <>
          <Section title="Routers">
            {data.routers.length === 0 ? (
              <Empty>No router has polled the discovery feed yet.</Empty>
            ) : (
              <ul>
                {data.routers.map((r) => (
                  <li key={r.name}>
                    {r.name} <Pill value={r.healthy ? 'healthy' : 'unhealthy'} /> {r.detail}, last poll {ago(r.lastSeenAt)}
                  </li>
                ))}
              </ul>
            )}
          </Section>
          {data.services.map((s) => (
            <Section key={`${s.stack}/${s.name}`} title={`${s.stack}/${s.name}`}>
              <p>
                Route: <code>{s.rule}</code> · health check <code>GET {s.healthCheck.path}</code> every {s.healthCheck.intervalMs / 1000} s · {s.backends.length + s.external.length} backend
                {s.backends.length + s.external.length === 1 ? '' : 's'} in the feed
              </p>
              <Table columns={['Instance', 'Agent', 'URL', 'State', 'Health', 'In the feed']}>
                {s.instances.map((i) => (
                  <tr key={i.id}>
                    <th scope="row">{i.id}</th>
                    <td>{i.agent ?? '—'}</td>
                    <td>{i.url ?? '—'}</td>
                    <PillCell value={i.state} />
                    <td>
                      <Pill value={i.health} />
                      {i.healthDetail ? <div className="muted small">{i.healthDetail}</div> : null}
                    </td>
                    <td>{i.routed ? 'yes' : i.draining ? 'no (draining)' : i.retiring ? 'no (stopping)' : 'no'}</td>
                  </tr>
                ))}
              </Table>
            </Section>
          ))}
        </>
      )}
    </>
  );
}
