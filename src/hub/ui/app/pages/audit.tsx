import { useState } from 'react';
import type { Me } from '../api';
import { PillCell, Table } from '../components/table';
import { Empty, Loading, NeedsRole, PageHeader, Problem, Section, can } from '../components/ui';
import { time } from '../format';
import { usePoll } from '../hooks';

interface Entry {
  id: number;
  at: string;
  actor: string;
  actorKind: string;
  action: string;
  target: string | null;
  outcome: string;
  status: number | null;
  client: string | null;
  userAgent: string | null;
  detail: Record<string, unknown> | null;
}

/** Every change: who, what, when, from where, and how it ended (admins). */
export function Audit({ me }: { me: Me }) {
  const allowed = can(me.role, 'admin');
  const [action, setAction] = useState('');
  const [actor, setActor] = useState('');
  const [before, setBefore] = useState<number>();
  const qs = new URLSearchParams({ limit: '100', ...(action ? { action } : {}), ...(actor ? { actor } : {}), ...(before ? { before: String(before) } : {}) });
  const { data, error } = usePoll<Entry[]>(allowed ? `/api/audit?${qs.toString()}` : null, before ? undefined : 5000);
  if (!allowed) {
    return (
      <>
        <PageHeader title="Audit log" />
        <NeedsRole role={me.role} needed="admin" what="reading the audit log" />
      </>
    );
  }
  return (
    <>
      <PageHeader title="Audit log" />
      <Problem error={error} />
      <Section
        title="Changes"
        actions={
          <div className="inline-form">
            <label className="compact">
              Action starts with <input value={action} onChange={(e) => (setAction(e.target.value), setBefore(undefined))} placeholder="stack." />
            </label>
            <label className="compact">
              Actor <input value={actor} onChange={(e) => (setActor(e.target.value), setBefore(undefined))} placeholder="admin" />
            </label>
          </div>
        }
      >
        {!data ? (
          <Loading what="the audit log" />
        ) : data.length === 0 ? (
          <Empty>No entries.</Empty>
        ) : (
          <>
            <Table columns={['When', 'Who', 'What', 'Target', 'Outcome', 'From', 'Detail']}>
              {data.map((e) => (
                <tr key={e.id}>
                  <td>{time(e.at)}</td>
                  <td>
                    {e.actor} <span className="muted small">({e.actorKind})</span>
                  </td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td>{e.target ?? '—'}</td>
                  <PillCell value={e.outcome} label={`${e.outcome}${e.status ? ` ${e.status}` : ''}`} />
                  <td>{e.client ?? '—'}</td>
                  <td className="detail small">{e.detail ? JSON.stringify(e.detail) : ''}</td>
                </tr>
              ))}
            </Table>
            <div className="buttons">
              {before ? (
                <button type="button" onClick={() => setBefore(undefined)}>
                  Newest
                </button>
              ) : null}
              {data.length === 100 ? (
                <button type="button" onClick={() => setBefore(data[data.length - 1]?.id)}>
                  Older
                </button>
              ) : null}
            </div>
          </>
        )}
      </Section>
    </>
  );
}
