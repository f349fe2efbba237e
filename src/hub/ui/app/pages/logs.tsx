import { useEffect, useRef, useState } from 'react';
import type { Me } from '../api';
import { NeedsRole, PageHeader, Pill, can } from '../components/ui';
import { Link } from '../router';

const MAX_LINES = 5000;

/** An instance's live log: the agent ships the last lines, then new ones as they are written. */
export function Logs({ me, id }: { me: Me; id: string }) {
  const [lines, setLines] = useState<string[]>([]);
  const [state, setState] = useState<'connecting' | 'live' | 'ended' | 'error'>('connecting');
  const [reason, setReason] = useState('');
  const [paused, setPaused] = useState(false);
  const [follow, setFollow] = useState(true);
  const [attempt, setAttempt] = useState(0);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;
  const box = useRef<HTMLPreElement>(null);

  useEffect(() => {
    if (!can(me.role, 'operator')) return;
    setState('connecting');
    setLines([]);
    const source = new EventSource(`/api/instances/${encodeURIComponent(id)}/logs?lines=200&follow=true`);
    source.addEventListener('open', () => setState('live'));
    source.addEventListener('lines', (e) => {
      if (pausedRef.current) return;
      const batch = JSON.parse((e as MessageEvent<string>).data) as string[];
      setLines((prev) => [...prev, ...batch].slice(-MAX_LINES));
    });
    source.addEventListener('end', (e) => {
      setReason(JSON.parse((e as MessageEvent<string>).data) as string);
      setState('ended');
      source.close();
    });
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED || source.readyState === EventSource.CONNECTING) {
        source.close();
        setState((s) => (s === 'ended' ? s : 'error'));
        setReason((r) => r || 'the connection to the hub closed (the instance’s agent may be unreachable)');
      }
    };
    return () => source.close();
  }, [id, me.role, attempt]);

  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines, follow]);

  return (
    <>
      <PageHeader title={`Logs of ${id}`}>
        <Link to="/instances">All instances</Link>
      </PageHeader>
      <NeedsRole role={me.role} needed="operator" what="reading logs" />
      {can(me.role, 'operator') ? (
        <>
          <div className="buttons" role="toolbar" aria-label="Log controls">
            <span aria-live="polite">
              <Pill value={state === 'live' ? 'running' : state === 'connecting' ? 'starting' : state === 'ended' ? 'stopped' : 'failed'} label={state} /> {reason}
            </span>
            <button type="button" onClick={() => setPaused((p) => !p)} aria-pressed={paused}>
              {paused ? 'Resume' : 'Pause'}
            </button>
            <label className="checkbox">
              <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> Scroll to new lines
            </label>
            <button type="button" onClick={() => setLines([])}>
              Clear
            </button>
            {state === 'ended' || state === 'error' ? (
              <button type="button" onClick={() => setAttempt((a) => a + 1)}>
                Reconnect
              </button>
            ) : null}
          </div>
          <pre ref={box} className="log" role="log" aria-live="off" aria-label={`Log lines of ${id}`} tabIndex={0} data-testid="log-lines">
            {lines.length === 0 ? <span className="muted">{state === 'connecting' ? 'Asking the agent for the log…' : 'No lines yet.'}</span> : lines.join('\n')}
          </pre>
        </>
      ) : null}
    </>
  );
}
