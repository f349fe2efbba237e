import type { ReactNode } from 'react';

type Option = string | number | readonly [value: string | number, text: ReactNode];

/** A labelled `<select>` (also named by `aria-label`); `options` are values, or [value, text] pairs. */
export function SelectField({ label, value, onChange, options }: { label: string; value: string | number; onChange: (value: string) => void; options: readonly Option[] }) {
  return (
    <label>
      {label}
      <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value)}>
        {options.map((o) => {
          const [v, text] = typeof o === 'object' ? o : [o, o];
          return (
            <option key={v} value={v}>
              {text}
            </option>
          );
        })}
      </select>
    </label>
  );
}
