import { useState, type FormEvent } from 'react';
import { api, type Me, type Role } from '../api';
import { Listing, RowButton, Table } from '../components/table';
import { SelectField } from '../components/form';
import { Done, PageHeader, Problem, Secret, Section, can } from '../components/ui';
import { ago, until } from '../format';
import { useAction, usePoll } from '../hooks';

interface ApiToken {
  id: string;
  name: string;
  username: string;
  role: Role;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

const TTLS = [
  ['', 'never'],
  ['1d', '1 day'],
  ['30d', '30 days'],
  ['365d', '1 year'],
] as const;

/** API tokens for automation (the CLI, CI): shown once, role at most the owner’s. */
export function ApiKeys({ me }: { me: Me }) {
  const { data, error, reload } = usePoll<ApiToken[]>('/api/tokens');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>(me.role);
  const [ttl, setTtl] = useState('');
  const [created, setCreated] = useState<string>();
  const action = useAction();
  const create = async (e: FormEvent) => {
    e.preventDefault();
    const r = await action.run(() => api<ApiToken & { token: string }>('POST', '/api/tokens', { name, role, ...(ttl ? { ttl } : {}) }), (t) => `API token ${t.name} created.`);
    if (r) {
      setCreated(r.token);
      setName('');
      reload();
    }
  };
  const remove = async (t: ApiToken) => {
    await action.run(() => api('DELETE', `/api/tokens/${t.id}`), () => `API token ${t.name} deleted.`);
    reload();
  };
  const roles: Role[] = (['viewer', 'operator', 'admin'] as Role[]).filter((r) => can(me.role, r));
  return (
    <>
      <PageHeader title="API keys" />
      <Section title="New API token">
        <p>Send it as <code>Authorization: Bearer …</code>. It carries at most your role, and dies with your account.</p>
        <form className="inline-form" onSubmit={(e) => void create(e)}>
          <label>
            Name
            <input required value={name} onChange={(e) => setName(e.target.value)} maxLength={64} placeholder="ci-deploy" />
          </label>
          <SelectField label="Role" value={role} onChange={(v) => setRole(v as Role)} options={roles} />
          <SelectField label="Expires after" value={ttl} onChange={setTtl} options={TTLS} />
          <button type="submit" className="primary" disabled={action.busy}>
            Create token
          </button>
        </form>
        {created ? <Secret label="New API token" value={created} /> : null}
        <Problem error={action.error ?? error} />
        <Done message={action.done} />
      </Section>
      <Section title={me.role === 'admin' ? 'All API tokens' : 'My API tokens'}>
        <Listing rows={data} what="API tokens" empty="No API tokens.">
          {(rows) => (
            <Table columns={['Name', 'Owner', 'Role', 'Created', 'Expires', 'Last used']} actions>
              {rows.map((t) => (
                <tr key={t.id}>
                  <th scope="row">{t.name}</th>
                  <td>{t.username}</td>
                  <td>{t.role}</td>
                  <td>{ago(t.createdAt)}</td>
                  <td>{t.expiresAt ? until(t.expiresAt) : 'never'}</td>
                  <td>{ago(t.lastUsedAt)}</td>
                  <td>
                    <RowButton tone="danger" onClick={() => void remove(t)} name={`Delete API token ${t.name}`}>
                      Delete
                    </RowButton>
                  </td>
                </tr>
              ))}
            </Table>
          )}
        </Listing>
      </Section>
    </>
  );
}
