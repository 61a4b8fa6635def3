import type { Dataset } from '@lstmkit/preprocess';
import type { Context } from '../context.js';
import { formatCount } from '../render/format.js';

/** With --lenient: one warning line saying how many records were skipped and the first one. */
export function reportSkipped(dataset: Dataset, ctx: Context): void {
  const first = dataset.skipped[0];
  if (first === undefined) return;
  const more =
    dataset.skipped.length > 1
      ? ` (first: ${first.file}:${first.line}: ${first.reason})`
      : ` (${first.file}:${first.line}: ${first.reason})`;
  ctx.warn(
    `skipped ${formatCount(dataset.skipped.length)} malformed record${dataset.skipped.length === 1 ? '' : 's'}${more}`,
  );
}
