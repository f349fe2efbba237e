import { useEffect, useRef, type KeyboardEvent } from 'react';
import type { StackIssue } from '../api';

/**
 * The stack editor: a plain textarea (so every keyboard and screen-reader convention works) with a
 * line-number gutter that marks lines with problems, and the list of problems under it — each one
 * a button that moves the cursor to its line. Tab inserts two spaces; Escape then Tab leaves.
 */
export function YamlEditor({ value, onChange, issues, readOnly, label }: { value: string; onChange: (v: string) => void; issues: StackIssue[]; readOnly: boolean; label: string }) {
  const area = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);
  const escaped = useRef(false);
  const lines = value.split('\n').length;
  const bad = new Map<number, string>();
  for (const i of issues) if (i.line !== undefined) bad.set(i.line, `${i.path ? `${i.path}: ` : ''}${i.message}`);

  useEffect(() => {
    const a = area.current;
    const g = gutter.current;
    if (!a || !g) return;
    const sync = () => (g.scrollTop = a.scrollTop);
    a.addEventListener('scroll', sync);
    return () => a.removeEventListener('scroll', sync);
  }, []);

  const goTo = (line: number, column = 1) => {
    const a = area.current;
    if (!a) return;
    const rows = a.value.split('\n');
    let offset = 0;
    for (let i = 0; i < line - 1 && i < rows.length; i++) offset += (rows[i] as string).length + 1;
    offset += Math.max(0, column - 1);
    a.focus();
    a.setSelectionRange(offset, offset);
    const lineHeight = parseFloat(getComputedStyle(a).lineHeight) || 20;
    a.scrollTop = Math.max(0, (line - 3) * lineHeight);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Escape') {
      escaped.current = true;
      return;
    }
    if (e.key === 'Tab' && !e.shiftKey && !escaped.current && !readOnly) {
      e.preventDefault();
      const a = e.currentTarget;
      const { selectionStart: s, selectionEnd: end } = a;
      const next = `${a.value.slice(0, s)}  ${a.value.slice(end)}`;
      onChange(next);
      requestAnimationFrame(() => a.setSelectionRange(s + 2, s + 2));
      return;
    }
    escaped.current = false;
  };

  return (
    <div className="editor-wrap">
      <div className="editor">
        <div className="gutter" ref={gutter} aria-hidden="true">
          {Array.from({ length: lines }, (_, i) => (
            <div key={i} className={bad.has(i + 1) ? 'gutter-line gutter-bad' : 'gutter-line'} title={bad.get(i + 1)} data-line={i + 1}>
              {i + 1}
            </div>
          ))}
        </div>
        <textarea
          ref={area}
          aria-label={label}
          aria-describedby="editor-help editor-problems"
          aria-invalid={issues.length > 0}
          spellCheck={false}
          autoCapitalize="off"
          autoComplete="off"
          readOnly={readOnly}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          onKeyDown={onKeyDown}
        />
      </div>
      <p id="editor-help" className="muted small">
        Tab indents; press Escape, then Tab, to leave the editor.
      </p>
      <div id="editor-problems" aria-live="polite">
        {issues.length > 0 ? (
          <ul className="problems" aria-label="Problems in the stack file">
            {issues.map((i, n) => (
              <li key={n}>
                <button type="button" className="link" onClick={() => i.line !== undefined && goTo(i.line, i.column)} data-testid="stack-problem">
                  {i.line !== undefined ? `Line ${i.line}${i.column !== undefined ? `:${i.column}` : ''}` : 'File'}
                </button>{' '}
                {i.path ? <code>{i.path}</code> : null} {i.message}
              </li>
            ))}
          </ul>
        ) : null}
      </div>
    </div>
  );
}
