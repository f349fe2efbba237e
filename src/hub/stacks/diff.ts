/** One line of a diff: kept, added (only in the newer text) or removed (only in the older one). */
export interface DiffLine {
  op: ' ' | '+' | '-';
  text: string;
  /** 1-based line numbers in the old and new texts (null where the line is absent). */
  oldLine: number | null;
  newLine: number | null;
}

/**
 * A line diff of two stack files (longest common subsequence; stack files are small, so the
 * quadratic table is fine — inputs are capped to keep it so).
 */
export function diffLines(older: string, newer: string): DiffLine[] {
  const a = splitLines(older).slice(0, 4000);
  const b = splitLines(newer).slice(0, 4000);
  const n = a.length;
  const m = b.length;
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    const row = lcs[i] as Uint32Array;
    const below = lcs[i + 1] as Uint32Array;
    for (let j = m - 1; j >= 0; j--) row[j] = a[i] === b[j] ? (below[j + 1] as number) + 1 : Math.max(below[j] as number, row[j + 1] as number);
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      out.push({ op: ' ', text: a[i] as string, oldLine: i + 1, newLine: j + 1 });
      i++;
      j++;
    } else if (i < n && (j === m || ((lcs[i + 1] as Uint32Array)[j] as number) >= ((lcs[i] as Uint32Array)[j + 1] as number))) {
      out.push({ op: '-', text: a[i] as string, oldLine: i + 1, newLine: null });
      i++;
    } else {
      out.push({ op: '+', text: b[j] as string, oldLine: null, newLine: j + 1 });
      j++;
    }
  }
  return out;
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
