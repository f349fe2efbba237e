import { useEffect, useRef, type ReactNode } from 'react';
import type { ApiError, Role } from '../api';

/** Small shared pieces of the console: status pills, notices, page headers, confirm dialogs. */
const TONES: Record<string, string> = {
  running: 'ok',
  healthy: 'ok',
  succeeded: 'ok',
  valid: 'ok',
  unused: 'ok',
  ok: 'ok',
  starting: 'warn',
  pending: 'warn',
  backoff: 'warn',
  draining: 'warn',
  expiring: 'warn',
  paused: 'warn',
  superseded: 'muted',
  used: 'muted',
  stopped: 'muted',
  unknown: 'muted',
  expired: 'bad',
  failed: 'bad',
  unhealthy: 'bad',
  revoked: 'bad',
  rolled_back: 'bad',
  refused: 'bad',
};

export function Pill({ value, label }: { value: string; label?: string }) {
  return <span className={`pill pill-${TONES[value] ?? 'muted'}`}>{label ?? value.replace('_', ' ')}</span>;
}

export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  useEffect(() => {
    document.title = `${title} · Phoenix`;
  }, [title]);
  return (
    <header className="page-header">
      <h1 id="page-title" tabIndex={-1}>
        {title}
      </h1>
      {children ? <div className="page-actions">{children}</div> : null}
    </header>
  );
}

export function Problem({ error }: { error: ApiError | undefined }) {
  if (!error) return null;
  return (
    <div className="notice notice-bad" role="alert">
      <strong>{error.status ? `${error.status} ` : ''}</strong>
      {error.message}
    </div>
  );
}

export function Done({ message }: { message: string | undefined }) {
  if (!message) return null;
  return (
    <div className="notice notice-ok" role="status">
      {message}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status">
      Loading {what}…
    </p>
  );
}

export function Section({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <section className="card" aria-label={title}>
      <div className="card-header">
        <h2>{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="muted empty">{children}</p>;
}

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };
export function can(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}

/** Explains why a control is missing for this role. */
export function NeedsRole({ role, needed, what }: { role: Role; needed: Role; what: string }) {
  if (can(role, needed)) return null;
  return (
    <p className="muted needs-role" role="note">
      You are a {role}: {what} needs the {needed} role.
    </p>
  );
}

/** A modal dialog (native <dialog>: focus stays inside, Escape closes). */
export function Dialog({ open, title, onClose, children }: { open: boolean; title: string; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} className="dialog" aria-labelledby="dialog-title" onClose={onClose} onCancel={onClose}>
      <h2 id="dialog-title">{title}</h2>
      {children}
    </dialog>
  );
}

/** A confirm dialog's buttons: the (dangerous) action it asks about, then Cancel. */
export function ConfirmButtons({ confirm, onConfirm, onCancel }: { confirm: ReactNode; onConfirm: () => void; onCancel: () => void }) {
  return (
    <div className="buttons">
      <button type="button" className="danger" onClick={onConfirm}>
        {confirm}
      </button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}

/** A secret shown once, selectable, with a copy button. */
export function Secret({ label, value }: { label: string; value: string }) {
  return (
    <div className="secret">
      <label>
        {label}
        <input readOnly value={value} onFocus={(e) => e.currentTarget.select()} aria-describedby="secret-note" />
      </label>
      <button type="button" onClick={() => void navigator.clipboard?.writeText(value).catch(() => undefined)}>
        Copy
      </button>
      <p id="secret-note" className="muted">
        Shown once: copy it now.
      </p>
    </div>
  );
}
