import { useState } from 'react';
import type { Me } from '../api';
import { Empty, Loading, NeedsRole, PageHeader, Pill, Problem, Section, can } from '../components/ui';
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
            <table>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">What</th>
                  <th scope="col">Target</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">From</th>
                  <th scope="col">Detail</th>
                </tr>
              </thead>
              <tbody>
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
                    <td>
                      <Pill value={e.outcome} label={`${e.outcome}${e.status ? ` ${e.status}` : ''}`} />
                    </td>
                    <td>{e.client ?? '—'}</td>
                    <td className="detail small">{e.detail ? JSON.stringify(e.detail) : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
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
