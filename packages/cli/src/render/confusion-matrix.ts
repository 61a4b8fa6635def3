import { formatCount } from './format.js';
import type { Style } from './style.js';
import { renderTable } from './table.js';

/**
 * Rows are the true labels, columns the predicted ones; the diagonal (correct) is
 * highlighted when colour is on.
 */
export function renderConfusionMatrix(
  matrix: readonly (readonly number[])[],
  labelNames: readonly string[],
  style: Style,
  indent = 2,
): string[] {
  const names = labelNames.map((name, i) => name || String(i));
  const header = [style.dim('true \\ predicted'), ...names.map((name) => style.bold(name))];
  const rows = matrix.map((row, i) => [
    style.bold(names[i] ?? String(i)),
    ...row.map((count, j) => (i === j ? style.green(formatCount(count)) : formatCount(count))),
  ]);
  return renderTable([header, ...rows], {
    indent,
    align: ['left', ...names.map(() => 'right' as const)],
  });
}
