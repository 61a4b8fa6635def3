import { visibleLength } from './style.js';

export type Align = 'left' | 'right';

export interface TableOptions {
  /** Per column; default left. */
  align?: readonly Align[];
  /** Spaces before every row. */
  indent?: number;
  /** Spaces between columns. */
  gap?: number;
}

function pad(text: string, width: number, align: Align): string {
  const fill = ' '.repeat(Math.max(0, width - visibleLength(text)));
  return align === 'right' ? fill + text : text + fill;
}

/** Aligns cells into columns (cells may carry ANSI colour). Returns lines without newlines. */
export function renderTable(
  rows: readonly (readonly string[])[],
  options: TableOptions = {},
): string[] {
  const { align = [], indent = 0, gap = 2 } = options;
  const columns = Math.max(0, ...rows.map((row) => row.length));
  const widths = Array.from({ length: columns }, (_, c) =>
    Math.max(0, ...rows.map((row) => visibleLength(row[c] ?? ''))),
  );
  const prefix = ' '.repeat(indent);
  return rows.map((row) => {
    const cells = widths.map((width, c) => {
      const last = c === columns - 1;
      const a = align[c] ?? 'left';
      const cell = row[c] ?? '';
      return last && a === 'left' ? cell : pad(cell, width, a);
    });
    return (prefix + cells.join(' '.repeat(gap))).replace(/\s+$/, '');
  });
}
