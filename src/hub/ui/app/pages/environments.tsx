import { useState, type FormEvent } from 'react';
import { api, type AgentView, type Me } from '../api';
import { Done, Empty, Loading, PageHeader, Pill, Problem, Secret, Section, can } from '../components/ui';
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
        {!agents.data ? (
          <Loading what="agents" />
        ) : agents.data.length === 0 ? (
          <Empty>No agent has connected yet. Enroll a host below.</Empty>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Agent</th>
                <th scope="col">Status</th>
                <th scope="col">Version</th>
                <th scope="col">Last heartbeat</th>
                <th scope="col">CPU</th>
                <th scope="col">Memory</th>
                <th scope="col">Disk</th>
                <th scope="col">Certificate</th>
              </tr>
            </thead>
            <tbody>
              {agents.data.map((a) => (
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
            </tbody>
          </table>
        )}
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
        <label>
          Valid for
          <select aria-label="Valid for" value={ttl} onChange={(e) => setTtl(e.target.value)}>
            <option value="15m">15 minutes</option>
            <option value="1h">1 hour</option>
            <option value="24h">24 hours</option>
          </select>
        </label>
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
        <table>
          <thead>
            <tr>
              <th scope="col">Token</th>
              <th scope="col">For agent</th>
              <th scope="col">State</th>
              <th scope="col">Created</th>
              <th scope="col">Expires</th>
              <th scope="col">Used</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tokens.data.map((t) => (
              <tr key={t.id}>
                <td>
                  <code>{t.id}</code>
                </td>
                <td>{t.agentName ?? 'any'}</td>
                <td>
                  <Pill value={t.state} />
                </td>
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
          </tbody>
        </table>
      ) : null}
    </Section>
  );
}
