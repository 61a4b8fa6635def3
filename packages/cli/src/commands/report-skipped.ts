import type { Dataset, SkippedRecord } from '@lstmkit/preprocess';
import type { Context } from '../context.js';
import { formatCount } from '../render/format.js';

/** With --lenient: one warning line saying how many records were skipped and the first one. */
export function reportSkipped(dataset: Dataset, ctx: Context): void {
  reportSkippedCount(dataset.skipped.length, dataset.skipped[0], ctx);
}

/** The same for a streamed pass, which keeps only the count and the first skipped record. */
export function reportSkippedCount(
  count: number,
  first: SkippedRecord | undefined,
  ctx: Context,
): void {
  if (first === undefined || count === 0) return;
  const where = `${first.file}:${first.line}: ${first.reason}`;
  const more = count > 1 ? ` (first: ${where})` : ` (${where})`;
  ctx.warn(`skipped ${formatCount(count)} malformed record${count === 1 ? '' : 's'}${more}`);
}
