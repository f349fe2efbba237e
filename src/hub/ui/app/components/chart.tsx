/** A small line chart (SVG, no library): one series over time, with its latest value and axis labels. */
export interface Point {
  t: number;
  v: number | null;
}

export function LineChart({ title, points, unit, format = (v) => v.toFixed(1), max }: { title: string; points: Point[]; unit: string; format?: (v: number) => string; max?: number }) {
  const W = 320;
  const H = 120;
  const pad = { l: 40, r: 8, t: 8, b: 18 };
  const values = points.map((p) => p.v).filter((v): v is number => v !== null);
  const top = Math.max(max ?? 0, ...values, 1e-9);
  const t0 = points[0]?.t ?? 0;
  const t1 = points[points.length - 1]?.t ?? 1;
  const x = (t: number) => pad.l + ((t - t0) / Math.max(1, t1 - t0)) * (W - pad.l - pad.r);
  const y = (v: number) => pad.t + (1 - v / top) * (H - pad.t - pad.b);
  const segments: string[] = [];
  let current = '';
  for (const p of points) {
    if (p.v === null) {
      if (current) segments.push(current);
      current = '';
      continue;
    }
    current += `${current ? ' L' : 'M'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`;
  }
  if (current) segments.push(current);
  const latest = [...points].reverse().find((p) => p.v !== null)?.v;
  const summary = latest === undefined || latest === null ? 'no data yet' : `${format(latest)} ${unit} now, peak ${format(Math.max(...values))} ${unit}`;
  return (
    <figure className="chart">
      <figcaption>
        <span>{title}</span>
        <strong>{latest === undefined || latest === null ? '—' : `${format(latest)} ${unit}`}</strong>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${title}: ${summary}`}>
        <line x1={pad.l} x2={W - pad.r} y1={H - pad.b} y2={H - pad.b} className="axis" />
        <line x1={pad.l} x2={W - pad.r} y1={pad.t} y2={pad.t} className="grid" />
        <text x={pad.l - 4} y={pad.t + 4} textAnchor="end" className="tick">
          {format(top)}
        </text>
        <text x={pad.l - 4} y={H - pad.b} textAnchor="end" className="tick">
          0
        </text>
        <text x={pad.l} y={H - 4} className="tick">
          {points.length > 1 ? `−${Math.max(1, Math.round((t1 - t0) / 60000))} min` : ''}
        </text>
        <text x={W - pad.r} y={H - 4} textAnchor="end" className="tick">
          now
        </text>
        {segments.map((d, i) => (
          <path key={i} d={d} className="series" />
        ))}
      </svg>
    </figure>
  );
}
