import { useState, type FormEvent } from 'react';
import { api, type AgentView, type Me } from '../api';
import { Listing, PillCell, Table } from '../components/table';
import { SelectField } from '../components/form';
import { Done, PageHeader, Pill, Problem, Secret, Section, can } from '../components/ui';
import { ago, bytes, until } from '../format';
import { useAction, usePoll } from '../hooks';

interface EnrollmentToken {
  id: string;
  agentName: string | null;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
  usedBy: string | null;
  usedFrom: string | null;
  state: string;
}

/** The hosts (agents): version, heartbeat, host facts, and when unreachable, why; enrollment tokens. */
export function Environments({ me }: { me: Me }) {
  const agents = usePoll<AgentView[]>('/api/agents', 3000);
  return (
    <>
      <PageHeader title="Environments" />
      <Problem error={agents.error} />
      <Section title="Agents">
        <Listing rows={agents.data} what="agents" empty="No agent has connected yet. Enroll a host below.">
          {(rows) => (
            <Table columns={['Agent', 'Status', 'Version', 'Last heartbeat', 'CPU', 'Memory', 'Disk', 'Certificate']}>
              {rows.map((a) => (
                <tr key={a.name}>
                  <th scope="row">
                    {a.name}
                    <div className="muted small">
                      {a.host.hostname} · {a.advertiseAddress} · {a.host.platform}/{a.host.arch ?? '?'}
                    </div>
                  </th>
                  <td>
                    <Pill value={a.healthy ? 'healthy' : 'unhealthy'} label={a.healthy ? 'connected' : 'unreachable'} />
                    <div className="small detail">{a.detail}</div>
                  </td>
                  <td>
                    {a.version} {a.versionMatches === false ? <Pill value="failed" label="mismatch" /> : null}
                  </td>
                  <td>{ago(a.lastHeartbeatAt)}</td>
                  <td>
                    {a.host.cpus} CPU{a.host.loadAverage ? <div className="muted small">load {a.host.loadAverage.join(' / ')}</div> : null}
                  </td>
                  <td>
                    {a.host.memoryFreeBytes !== undefined ? `${bytes(a.host.memoryBytes - a.host.memoryFreeBytes)} used of ` : ''}
                    {bytes(a.host.memoryBytes)}
                  </td>
                  <td>{a.host.disk ? `${bytes(a.host.disk.freeBytes)} free of ${bytes(a.host.disk.totalBytes)}` : '—'}</td>
                  <td>{a.certificate ? <span title={`serial ${a.certificate.serial}`}>expires {until(a.certificate.notAfter)}</span> : '—'}</td>
                </tr>
              ))}
            </Table>
          )}
        </Listing>
      </Section>
      {can(me.role, 'admin') ? <Enrollment /> : <p className="muted">Enrolling hosts needs the admin role.</p>}
    </>
  );
}

function Enrollment() {
  const tokens = usePoll<EnrollmentToken[]>('/api/enrollment-tokens', 5000);
  const [agentName, setAgentName] = useState('');
  const [ttl, setTtl] = useState('1h');
  const [created, setCreated] = useState<{ token: string; command: string }>();
  const action = useAction();
  const create = async (e: FormEvent) => {
    e.preventDefault();
    const r = await action.run(
      () => api<{ token: string; command: string }>('POST', '/api/enrollment-tokens', { ...(agentName ? { agentName } : {}), ttl }),
      () => 'Enrollment token created.',
    );
    if (r) {
      setCreated(r);
      tokens.reload();
    }
  };
  const remove = async (id: string) => {
    await action.run(() => api('DELETE', `/api/enrollment-tokens/${id}`), () => 'Enrollment token deleted.');
    tokens.reload();
  };
  return (
    <Section title="Enroll a host">
      <p>
        A host joins with a one-time token: run the command on it. The agent checks the platform’s root fingerprint, gets its own certificate from the CA with the token, and from then on only connects out to the hub over mTLS — no inbound port on the host.
      </p>
      <form className="inline-form" onSubmit={(e) => void create(e)}>
        <label>
          Agent name (optional)
          <input value={agentName} onChange={(e) => setAgentName(e.target.value)} pattern="[a-zA-Z0-9._\-]{1,128}" placeholder="any" />
        </label>
        <SelectField
          label="Valid for"
          value={ttl}
          onChange={setTtl}
          options={[
            ['15m', '15 minutes'],
            ['1h', '1 hour'],
            ['24h', '24 hours'],
          ]}
        />
        <button type="submit" className="primary" disabled={action.busy}>
          Create enrollment token
        </button>
      </form>
      <Problem error={action.error} />
      <Done message={action.done} />
      {created ? (
        <div className="created">
          <Secret label="Run on the new host" value={created.command} />
        </div>
      ) : null}
      {tokens.data && tokens.data.length > 0 ? (
        <Table columns={['Token', 'For agent', 'State', 'Created', 'Expires', 'Used']} actions>
          {tokens.data.map((t) => (
            <tr key={t.id}>
              <td>
                <code>{t.id}</code>
              </td>
              <td>{t.agentName ?? 'any'}</td>
              <PillCell value={t.state} />
              <td>
                {ago(t.createdAt)} by {t.createdBy}
              </td>
              <td>{until(t.expiresAt)}</td>
              <td>{t.usedAt ? `${ago(t.usedAt)} by ${t.usedBy} from ${t.usedFrom}` : '—'}</td>
              <td>
                <button type="button" onClick={() => void remove(t.id)} aria-label={`Delete enrollment token ${t.id}`}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </Table>
      ) : null}
    </Section>
  );
}
