import type { ReactNode } from 'react';
import { Empty, Loading, Pill } from './ui';

/**
 * Shared table pieces of the console pages: a table with its column headings, the
 * loading / empty / rows switch around it, status cells and row buttons.
 */

/**
 * A table with one `<th scope="col">` per column; `actions` adds a last column for row buttons
 * whose heading only screen readers read (its text, default "Actions"). Children are the rows.
 */
export function Table({ columns, actions, label, children }: { columns: readonly ReactNode[]; actions?: boolean | string; label?: string; children: ReactNode }) {
  return (
    <table aria-label={label}>
      <thead>
        <tr>
          {columns.map((c, i) => (
            <th scope="col" key={i}>
              {c}
            </th>
          ))}
          {actions ? (
            <th scope="col">
              <span className="visually-hidden">{actions === true ? 'Actions' : actions}</span>
            </th>
          ) : null}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

/**
 * "Loading …" until `rows` arrive, then `empty` when there are none (if given), else `children(rows)`.
 */
export function Listing<T>({ rows, what, empty, children }: { rows: readonly T[] | undefined; what: string; empty?: ReactNode; children: (rows: readonly T[]) => ReactNode }) {
  if (!rows) return <Loading what={what} />;
  if (rows.length === 0 && empty !== undefined) return <Empty>{empty}</Empty>;
  return <>{children(rows)}</>;
}

/** A cell holding a status pill, and optionally more under it. */
export function PillCell({ value, label, children }: { value: string; label?: string; children?: ReactNode }) {
  return (
    <td>
      {label === undefined ? <Pill value={value} /> : <Pill value={value} label={label} />}
      {children}
    </td>
  );
}

/** A row's button, named for screen readers by `name` (e.g. "Delete API token ci"). */
export function RowButton({ name, onClick, tone, disabled, children }: { name: string; onClick: () => void; tone?: 'danger' | 'primary'; disabled?: boolean; children: ReactNode }) {
  return (
    <button type="button" className={tone} onClick={onClick} disabled={disabled} aria-label={name}>
      {children}
    </button>
  );
}
