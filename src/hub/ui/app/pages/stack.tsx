import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { ApiError, api, type Me, type Rollout, type Stack, type StackIssue, type StackVersion } from '../api';
import { PillCell, Table } from '../components/table';
import { ConfirmButtons, Dialog, Done, Loading, NeedsRole, PageHeader, Pill, Problem, Secret, Section, can } from '../components/ui';
import { YamlEditor } from '../components/yaml-editor';
import { ago, time } from '../format';
import { useAction, usePoll } from '../hooks';
import { useRouter } from '../router';
import { DiffView } from './diff';
import { ReplicaSets } from './replication';

const NEW_STACK = `name: my_stack
services:
  api:
    runtime: process
    replicas: 2
    command: /usr/local/bin/my-server
    args: ["--port", "\${PHOENIX_PORT}"]
    labels:
      phoenix.router.host: my-api
    healthcheck:
      path: /readyz
`;

const TABS = ['Editor', 'History', 'Rolling updates', 'Webhook'] as const;
type Tab = (typeof TABS)[number];

/** One stack: the editor with live validation and deploy, scale, history with diff and rollback, rolling updates, webhook. */
export function StackPage({ me, name }: { me: Me; name: string | null }) {
  const stack = usePoll<Stack>(name ? `/api/stacks/${encodeURIComponent(name)}` : null, 3000);
  const [tab, setTab] = useState<Tab>('Editor');
  const tabs = useRef<Array<HTMLButtonElement | null>>([]);
  const onTabKey = (e: KeyboardEvent, i: number) => {
    const next = e.key === 'ArrowRight' ? (i + 1) % TABS.length : e.key === 'ArrowLeft' ? (i + TABS.length - 1) % TABS.length : e.key === 'Home' ? 0 : e.key === 'End' ? TABS.length - 1 : -1;
    if (next < 0) return;
    e.preventDefault();
    setTab(TABS[next] as Tab);
    tabs.current[next]?.focus();
  };
  if (name === null) {
    return (
      <>
        <PageHeader title="New stack" />
        <Editor me={me} stack={undefined} onDeployed={() => undefined} />
      </>
    );
  }
  return (
    <>
      <PageHeader title={`Stack ${name}`}>{stack.data ? <span className="muted">version {stack.data.version}</span> : null}</PageHeader>
      <Problem error={stack.error} />
      {stack.data?.rollout ? <RolloutBanner rollout={stack.data.rollout} /> : null}
      <div role="tablist" aria-label="Stack views" className="tabs">
        {TABS.map((t, i) => (
          <button
            key={t}
            ref={(el) => {
              tabs.current[i] = el;
            }}
            role="tab"
            id={`tab-${i}`}
            type="button"
            aria-selected={tab === t}
            aria-controls={`panel-${i}`}
            tabIndex={tab === t ? 0 : -1}
            onClick={() => setTab(t)}
            onKeyDown={(e) => onTabKey(e, i)}
          >
            {t}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${TABS.indexOf(tab)}`} aria-labelledby={`tab-${TABS.indexOf(tab)}`}>
        {!stack.data ? (
          <Loading what="the stack" />
        ) : tab === 'Editor' ? (
          <>
            <Editor me={me} stack={stack.data} onDeployed={stack.reload} />
            <Scale me={me} stack={stack.data} onScaled={stack.reload} />
            {stack.data.services.some((s) => s.runtime === 'embedded') ? <ReplicaSets stack={stack.data.name} /> : null}
          </>
        ) : tab === 'History' ? (
          <History me={me} stack={stack.data} onRolledBack={stack.reload} />
        ) : tab === 'Rolling updates' ? (
          <Rollouts name={stack.data.name} />
        ) : (
          <Webhook me={me} stack={stack.data} onChanged={stack.reload} />
        )}
      </div>
    </>
  );
}

function RolloutBanner({ rollout }: { rollout: Rollout }) {
  return (
    <div className="notice notice-warn" role="status">
      Rolling update to version {rollout.toVersion} ({rollout.kind}) <Pill value={rollout.state} />: {rollout.done.length} replaced, {rollout.current.length} in progress, {rollout.pending.length} waiting — {rollout.detail}
    </div>
  );
}

function Editor({ me, stack, onDeployed }: { me: Me; stack: Stack | undefined; onDeployed: () => void }) {
  const { navigate } = useRouter();
  const [text, setText] = useState(stack?.yaml ?? NEW_STACK);
  const [dirty, setDirty] = useState(stack === undefined);
  const [issues, setIssues] = useState<StackIssue[]>([]);
  const [checking, setChecking] = useState(false);
  const action = useAction();
  const editable = can(me.role, 'operator');
  // Follow the stored version until the user edits.
  useEffect(() => {
    if (!dirty && stack) setText(stack.yaml);
  }, [stack, dirty]);
  // Validate as the user types (debounced).
  useEffect(() => {
    setChecking(true);
    const timer = setTimeout(() => {
      api<{ valid: boolean; errors: StackIssue[] }>('POST', '/api/stacks/validate', text, { yaml: true }).then(
        (r) => {
          setIssues(r.errors);
          setChecking(false);
        },
        () => setChecking(false),
      );
    }, 300);
    return () => clearTimeout(timer);
  }, [text]);
  const deploy = async () => {
    const target = stack?.name ?? /^name:\s*([a-z0-9_]+)\s*$/m.exec(text)?.[1];
    if (!target) {
      setIssues([{ line: 1, path: 'name', message: 'the stack needs a name' }]);
      return;
    }
    const r = await action.run(
      () => api<Stack & { created: boolean; rollout: Rollout | null }>('PUT', `/api/stacks/${encodeURIComponent(target)}`, text, { yaml: true }),
      (r) => (r.created ? `Version ${r.version} stored and deployed${r.rollout ? `: rolling update of ${r.rollout.pending.length + r.rollout.current.length} instance(s) started` : '.'}` : 'Nothing changed: this is the current version.'),
    );
    if (r) {
      setDirty(false);
      if (!stack) navigate(`/stacks/${r.name}`);
      onDeployed();
    }
  };
  useEffect(() => {
    if (action.error instanceof ApiError && action.error.errors.length > 0) setIssues(action.error.errors);
  }, [action.error]);
  return (
    <Section
      title="Stack file"
      actions={
        <span className="muted small" aria-live="polite">
          {checking ? 'checking…' : issues.length === 0 ? 'valid' : `${issues.length} problem${issues.length === 1 ? '' : 's'}`}
        </span>
      }
    >
      <YamlEditor
        label={`Stack file${stack ? ` ${stack.name}` : ''} (YAML)`}
        value={text}
        issues={issues}
        readOnly={!editable}
        onChange={(v) => {
          setText(v);
          setDirty(true);
        }}
      />
      <Problem error={action.error} />
      <Done message={action.done} />
      <div className="buttons">
        {editable ? (
          <>
            <button type="button" className="primary" onClick={() => void deploy()} disabled={action.busy || issues.length > 0}>
              {stack ? 'Deploy' : 'Create and deploy'}
            </button>
            {stack && dirty ? (
              <button
                type="button"
                onClick={() => {
                  setDirty(false);
                  setText(stack.yaml);
                }}
              >
                Discard changes
              </button>
            ) : null}
          </>
        ) : null}
      </div>
      <NeedsRole role={me.role} needed="operator" what="deploying" />
    </Section>
  );
}

function Scale({ me, stack, onScaled }: { me: Me; stack: Stack; onScaled: () => void }) {
  const [wanted, setWanted] = useState<Record<string, number>>({});
  const action = useAction();
  if (!can(me.role, 'operator')) return null;
  const scale = async (service: string, replicas: number) => {
    await action.run(() => api<Stack>('POST', `/api/stacks/${stack.name}/scale`, { service, replicas }), (r) => `Scaled ${service} to ${replicas} (version ${r.version}).`);
    onScaled();
  };
  return (
    <Section title="Scale">
      <Table columns={['Service', 'Runtime', 'Replicas']} actions="Action">
        {stack.services.map((s) => {
          const value = wanted[s.name] ?? s.replicas;
          return (
            <tr key={s.name}>
              <th scope="row">{s.name}</th>
              <td>{s.runtime}</td>
              <td>
                <input
                  type="number"
                  min={0}
                  max={64}
                  value={value}
                  aria-label={`Replicas of ${s.name}`}
                  disabled={s.runtime === 'external'}
                  onChange={(e) => setWanted({ ...wanted, [s.name]: Number(e.target.value) })}
                />
              </td>
              <td>
                <button type="button" onClick={() => void scale(s.name, value)} disabled={action.busy || value === s.replicas || s.runtime === 'external'}>
                  Scale {s.name}
                </button>
              </td>
            </tr>
          );
        })}
      </Table>
      <Problem error={action.error} />
      <Done message={action.done} />
    </Section>
  );
}

function History({ me, stack, onRolledBack }: { me: Me; stack: Stack; onRolledBack: () => void }) {
  const versions = usePoll<StackVersion[]>(`/api/stacks/${stack.name}/versions`, 5000);
  const [diff, setDiff] = useState<{ from: number; to: number }>();
  const [confirm, setConfirm] = useState<number>();
  const action = useAction();
  const rollback = async (version: number) => {
    setConfirm(undefined);
    await action.run(() => api<Stack>('POST', `/api/stacks/${stack.name}/rollback`, { version }), (r) => `Rolled back to version ${version}: stored as version ${r.version} and deploying.`);
    versions.reload();
    onRolledBack();
  };
  return (
    <>
      <Section title="Versions">
        <Problem error={action.error ?? versions.error} />
        <Done message={action.done} />
        {!versions.data ? (
          <Loading what="versions" />
        ) : (
          <Table columns={['Version', 'When', 'Who', 'Why']} actions>
            {versions.data.map((v) => (
              <tr key={v.version}>
                <th scope="row">
                  {v.version}
                  {v.version === stack.version ? <span className="muted"> (current)</span> : null}
                </th>
                <td title={time(v.createdAt)}>{ago(v.createdAt)}</td>
                <td>{v.author ?? '—'}</td>
                <td className="detail">{v.note ?? '—'}</td>
                <td className="row-actions">
                  {v.version > 1 ? (
                    <button type="button" onClick={() => setDiff({ from: v.version - 1, to: v.version })} aria-label={`Changes in version ${v.version}`}>
                      Changes
                    </button>
                  ) : null}
                  {v.version !== stack.version ? (
                    <button type="button" onClick={() => setDiff({ from: v.version, to: stack.version })} aria-label={`Compare version ${v.version} with the current one`}>
                      Compare with current
                    </button>
                  ) : null}
                  {v.version !== stack.version && can(me.role, 'operator') ? (
                    <button type="button" className="danger" onClick={() => setConfirm(v.version)} aria-label={`Roll back to version ${v.version}`}>
                      Roll back
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </Table>
        )}
        <NeedsRole role={me.role} needed="operator" what="rolling back" />
      </Section>
      {diff ? <DiffView stack={stack.name} from={diff.from} to={diff.to} onChange={setDiff} max={stack.version} /> : null}
      <Dialog open={confirm !== undefined} title={`Roll back ${stack.name} to version ${confirm ?? ''}?`} onClose={() => setConfirm(undefined)}>
        <p>Version {confirm} is stored again as a new version and deployed; changed instances are replaced one at a time.</p>
        <ConfirmButtons confirm={`Roll back to version ${confirm ?? ''}`} onConfirm={() => confirm !== undefined && void rollback(confirm)} onCancel={() => setConfirm(undefined)} />
      </Dialog>
    </>
  );
}

function Rollouts({ name }: { name: string }) {
  const { data, error } = usePoll<Rollout[]>(`/api/stacks/${name}/rollouts`, 2000);
  return (
    <Section title="Rolling updates">
      <Problem error={error} />
      {!data ? (
        <Loading what="rolling updates" />
      ) : data.length === 0 ? (
        <p className="muted">No rolling update yet: instances whose spec changes are replaced here, one batch at a time.</p>
      ) : (
        <Table columns={['#', 'Versions', 'Kind', 'State', 'Detail', 'Started', 'By']}>
          {data.map((r) => (
            <tr key={r.id}>
              <td>{r.id}</td>
              <td>
                {r.fromVersion ?? '—'} → {r.toVersion}
              </td>
              <td>{r.kind}</td>
              <PillCell value={r.state} />
              <td className="detail">{r.detail}</td>
              <td>{ago(r.startedAt)}</td>
              <td>{r.actor}</td>
            </tr>
          ))}
        </Table>
      )}
    </Section>
  );
}

function Webhook({ me, stack, onChanged }: { me: Me; stack: Stack; onChanged: () => void }) {
  const [url, setUrl] = useState<string>();
  const action = useAction();
  const create = async () => {
    const r = await action.run(() => api<{ url: string }>('POST', `/api/stacks/${stack.name}/webhook`), () => 'Webhook created.');
    if (r) setUrl(r.url);
    onChanged();
  };
  const remove = async () => {
    await action.run(() => api('DELETE', `/api/stacks/${stack.name}/webhook`), () => 'Webhook removed.');
    setUrl(undefined);
    onChanged();
  };
  return (
    <Section title="Redeploy webhook">
      <p>A POST to the webhook URL redeploys this stack (every instance restarted, one batch at a time) — for a CI job after it publishes. The URL is the credential; only its hash is stored.</p>
      <p>{stack.webhook ? `A webhook exists (created ${ago(stack.webhook.createdAt)}).` : 'No webhook yet.'}</p>
      {url ? <Secret label="Webhook URL" value={url} /> : null}
      <Problem error={action.error} />
      <Done message={action.done} />
      {can(me.role, 'operator') ? (
        <div className="buttons">
          <button type="button" onClick={() => void create()} disabled={action.busy}>
            {stack.webhook ? 'Replace webhook' : 'Create webhook'}
          </button>
          {stack.webhook ? (
            <button type="button" className="danger" onClick={() => void remove()} disabled={action.busy}>
              Remove webhook
            </button>
          ) : null}
        </div>
      ) : (
        <NeedsRole role={me.role} needed="operator" what="managing the webhook" />
      )}
    </Section>
  );
}
