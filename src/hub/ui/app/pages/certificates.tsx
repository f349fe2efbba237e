import { useState } from 'react';
import { api, type Me } from '../api';
import { Listing, PillCell, RowButton, Table } from '../components/table';
import { SelectField } from '../components/form';
import { ConfirmButtons, Dialog, Done, NeedsRole, PageHeader, Problem, Section, can } from '../components/ui';
import { ago, time, until } from '../format';
import { useAction, usePoll } from '../hooks';

interface Certificate {
  serial: string;
  identity: string;
  sans: string[];
  notBefore: string | null;
  notAfter: string;
  provisioner: string | null;
  source: 'ca' | 'seen';
  status: string;
  revokedAt: string | null;
  revocationReason: string | null;
  lastSeenAt: string | null;
}

const REASONS = ['unspecified', 'keyCompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation'];

/** The certificate inventory with expiry, and revocation (admins). */
export function Certificates({ me }: { me: Me }) {
  const { data, error, reload } = usePoll<{ source: 'ca' | 'seen'; caError: string | null; certificates: Certificate[] }>('/api/certificates', 10_000);
  const [target, setTarget] = useState<Certificate>();
  const [reason, setReason] = useState('unspecified');
  const [filter, setFilter] = useState('');
  const action = useAction();
  const revoke = async (c: Certificate) => {
    setTarget(undefined);
    await action.run(
      () => api<{ disconnected: number }>('POST', '/api/certificates/revoke', { serial: c.serial, reason }),
      (r) => `Revoked ${c.identity} (serial ${c.serial}); ${r.disconnected} open connection(s) cut.`,
    );
    reload();
  };
  const rows = data?.certificates.filter((c) => !filter || c.identity.includes(filter) || c.serial.includes(filter.toUpperCase())) ?? [];
  return (
    <>
      <PageHeader title="Certificates" />
      <Problem error={error ?? action.error} />
      <Done message={action.done} />
      {data?.caError ? (
        <div className="notice notice-warn" role="status">
          The CA’s inventory is not available ({data.caError}); showing the certificates the hub sees.
        </div>
      ) : null}
      <Section
        title={data?.source === 'ca' ? 'Issued by the CA' : 'Certificates the hub sees'}
        actions={
          <label className="compact">
            Filter <input value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="identity or serial" />
          </label>
        }
      >
        <Listing rows={data ? rows : undefined} what="certificates" empty="No certificates.">
          {(shown) => (
            <Table columns={['Identity', 'Serial', 'Status', 'Expires', 'Last seen']} actions>
              {shown.map((c) => (
                <tr key={c.serial}>
                  <th scope="row">
                    {c.identity}
                    <div className="muted small">{c.sans.filter((s) => s !== c.identity).join(', ')}</div>
                  </th>
                  <td>
                    <code>{c.serial}</code>
                    {c.provisioner ? <div className="muted small">issued by {c.provisioner}</div> : null}
                  </td>
                  <PillCell value={c.status}>{c.revokedAt ? <div className="muted small">{`${ago(c.revokedAt)}: ${c.revocationReason}`}</div> : null}</PillCell>
                  <td title={time(c.notAfter)}>{until(c.notAfter)}</td>
                  <td>{ago(c.lastSeenAt)}</td>
                  <td>
                    {can(me.role, 'admin') && c.status !== 'revoked' && c.status !== 'expired' ? (
                      <RowButton tone="danger" onClick={() => setTarget(c)} name={`Revoke ${c.identity} (serial ${c.serial})`}>
                        Revoke
                      </RowButton>
                    ) : null}
                  </td>
                </tr>
              ))}
            </Table>
          )}
        </Listing>
        <NeedsRole role={me.role} needed="admin" what="revoking certificates" />
      </Section>
      <Dialog open={target !== undefined} title="Revoke this certificate?" onClose={() => setTarget(undefined)}>
        <p>
          <strong>{target?.identity}</strong>, serial <code>{target?.serial}</code>. The CA revokes it and lists it in its CRL; the hub refuses it at once and cuts its open connections. Its holder needs a new certificate (agents: enroll again).
        </p>
        <SelectField label="Reason" value={reason} onChange={setReason} options={REASONS} />
        <ConfirmButtons confirm="Revoke certificate" onConfirm={() => target && void revoke(target)} onCancel={() => setTarget(undefined)} />
      </Dialog>
    </>
  );
}
