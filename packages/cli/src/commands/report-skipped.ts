import type { Dataset, DatasetSource, SkippedRecord } from '@lstmkit/preprocess';
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

/**
 * The source, noting the records its first pass skips (--lenient), to report them once the
 * passes are done; a second pass skips the same records and a cached pass reads none.
 */
export function watchSkipped(source: DatasetSource) {
  let passes = 0;
  let count = 0;
  let first: SkippedRecord | undefined;
  const watched: DatasetSource = {
    name: source.name,
    labelNames: source.labelNames,
    bytes: source.bytes,
    count: source.count,
    digest: () => source.digest(),
    records(options) {
      const pass = ++passes;
      return source.records({
        ...options,
        onSkipped: (record) => {
          if (pass === 1) {
            count++;
            first ??= record;
          }
          options?.onSkipped?.(record);
        },
      });
    },
  };
  return { source: watched, report: (ctx: Context) => reportSkippedCount(count, first, ctx) };
}
