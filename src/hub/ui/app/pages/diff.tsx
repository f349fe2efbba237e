import { SelectField } from '../components/form';
import { Loading, Problem, Section } from '../components/ui';
import { usePoll } from '../hooks';

interface DiffLine {
  op: ' ' | '+' | '-';
  text: string;
  oldLine: number | null;
  newLine: number | null;
}

/** A line diff between two versions of a stack, with pickers for both. */
export function DiffView({ stack, from, to, max, onChange }: { stack: string; from: number; to: number; max: number; onChange: (d: { from: number; to: number }) => void }) {
  const { data, error } = usePoll<{ from: number; to: number; lines: DiffLine[] }>(`/api/stacks/${stack}/diff?from=${from}&to=${to}`);
  const versions = Array.from({ length: max }, (_, i) => i + 1);
  const choices = versions.map((v) => [v, `version ${v}`] as const);
  const changed = data?.lines.filter((l) => l.op !== ' ').length ?? 0;
  return (
    <Section title={`Diff: version ${from} → ${to}`}>
      <div className="inline-form">
        <SelectField label="From" value={from} onChange={(v) => onChange({ from: Number(v), to })} options={choices} />
        <SelectField label="To" value={to} onChange={(v) => onChange({ from, to: Number(v) })} options={choices} />
        <span className="muted" aria-live="polite">
          {data ? `${changed} line${changed === 1 ? '' : 's'} changed` : ''}
        </span>
      </div>
      <Problem error={error} />
      {!data ? (
        <Loading what="the diff" />
      ) : (
        <pre className="diff" aria-label={`Changes from version ${from} to ${to}`} tabIndex={0}>
          {data.lines.map((l, i) => (
            <div key={i} className={l.op === '+' ? 'diff-add' : l.op === '-' ? 'diff-del' : 'diff-same'}>
              <span className="diff-no">{l.oldLine ?? ''}</span>
              <span className="diff-no">{l.newLine ?? ''}</span>
              <span className="diff-op">{l.op === ' ' ? ' ' : l.op}</span>
              <span className="visually-hidden">{l.op === '+' ? 'added: ' : l.op === '-' ? 'removed: ' : ''}</span>
              {l.text}
            </div>
          ))}
        </pre>
      )}
    </Section>
  );
}
