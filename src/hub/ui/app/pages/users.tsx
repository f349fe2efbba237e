import { useState, type FormEvent } from 'react';
import { api, type Me, type Role } from '../api';
import { Listing, RowButton, Table } from '../components/table';
import { SelectField } from '../components/form';
import { Done, NeedsRole, PageHeader, Problem, Section, can } from '../components/ui';
import { ago } from '../format';
import { useAction, usePoll } from '../hooks';

interface User {
  username: string;
  role: Role;
  createdAt: string | null;
  updatedAt: string;
}

const ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];

/** Users and their roles (admins). */
export function Users({ me }: { me: Me }) {
  const allowed = can(me.role, 'admin');
  const { data, error, reload } = usePoll<User[]>(allowed ? '/api/users' : null);
  const [form, setForm] = useState({ username: '', password: '', role: 'viewer' as Role });
  const action = useAction();
  if (!allowed) {
    return (
      <>
        <PageHeader title="Users" />
        <NeedsRole role={me.role} needed="admin" what="managing users" />
      </>
    );
  }
  const create = async (e: FormEvent) => {
    e.preventDefault();
    const r = await action.run(() => api<User>('POST', '/api/users', form), (u) => `User ${u.username} created (${u.role}).`);
    if (r) setForm({ username: '', password: '', role: 'viewer' });
    reload();
  };
  const setRole = async (u: User, role: Role) => {
    await action.run(() => api<User>('PATCH', `/api/users/${encodeURIComponent(u.username)}`, { role }), () => `${u.username} is now ${role}.`);
    reload();
  };
  const resetPassword = async (u: User) => {
    const password = window.prompt(`New password for ${u.username} (at least 8 characters)`);
    if (!password) return;
    await action.run(() => api<User>('PATCH', `/api/users/${encodeURIComponent(u.username)}`, { password }), () => `Password of ${u.username} changed; their sessions ended.`);
  };
  const remove = async (u: User) => {
    if (!window.confirm(`Delete ${u.username} with their sessions and API tokens?`)) return;
    await action.run(() => api('DELETE', `/api/users/${encodeURIComponent(u.username)}`), () => `User ${u.username} deleted.`);
    reload();
  };
  return (
    <>
      <PageHeader title="Users" />
      <Problem error={action.error ?? error} />
      <Done message={action.done} />
      <Section title="New user">
        <form className="inline-form" onSubmit={(e) => void create(e)}>
          <label>
            Username
            <input required value={form.username} onChange={(e) => setForm({ ...form, username: e.target.value })} pattern="[a-zA-Z0-9._@\-]{1,64}" autoComplete="off" />
          </label>
          <label>
            Password
            <input required type="password" minLength={8} value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} autoComplete="new-password" />
          </label>
          <SelectField label="Role" value={form.role} onChange={(v) => setForm({ ...form, role: v as Role })} options={ROLES} />
          <button type="submit" className="primary" disabled={action.busy}>
            Create user
          </button>
        </form>
        <p className="muted small">Viewers read everything but logs, users and the audit log; operators also deploy, scale, roll back and read logs; admins also manage users, hosts and certificates.</p>
      </Section>
      <Section title="Users">
        <Listing rows={data} what="users">
          {(rows) => (
            <Table columns={['User', 'Role', 'Created']} actions>
              {rows.map((u) => (
                <tr key={u.username}>
                  <th scope="row">{u.username}</th>
                  <td>
                    <select value={u.role} onChange={(e) => void setRole(u, e.target.value as Role)} disabled={u.username === 'admin'} aria-label={`Role of ${u.username}`}>
                      {ROLES.map((r) => (
                        <option key={r}>{r}</option>
                      ))}
                    </select>
                  </td>
                  <td>{ago(u.createdAt)}</td>
                  <td className="row-actions">
                    <RowButton onClick={() => void resetPassword(u)} name={`Set the password of ${u.username}`}>
                      Set password
                    </RowButton>
                    {u.username !== 'admin' ? (
                      <RowButton tone="danger" onClick={() => void remove(u)} name={`Delete ${u.username}`}>
                        Delete
                      </RowButton>
                    ) : null}
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

