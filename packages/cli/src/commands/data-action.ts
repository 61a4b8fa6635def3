import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type {
  DatasetSource,
  LengthStats,
  ReadOptions,
  ReadProgress,
  SkippedRecord,
} from '@lstmkit/preprocess';
import type { PresetName } from '@lstmkit/trainer/config';
import type { Context } from '../context.js';
import type { loadOptionsFrom } from '../options/data-options.js';
import { formatCount, formatDuration, formatPercent, formatRate } from '../render/format.js';
import type { ProgressRenderer } from '../render/progress-renderer.js';
import { renderTable } from '../render/table.js';
import type { DataCommandFlags } from './data-command.js';
import { reportSkippedCount } from './report-skipped.js';
import { stderrProgress } from './stderr-progress.js';

export interface DatasetSummary {
  name: string;
  examples: number;
  skipped: number;
  labels: { name: string; count: number; share: number }[];
  splits?: Record<string, number>;
  preset: string;
  tokens: LengthStats;
  histogram: { from: number; to: number; count: number }[];
  /** `pruned` when the bounded count table dropped rare tokens (then the sizes are lower bounds). */
  vocabulary: { size: number; minCount2: number; pruned?: { tokens: number; belowCount: number } };
  suggestedSeqLen: number;
  truncatedAtSuggested: number;
}

/**
 * One streaming pass: token lengths into a LengthCounter and token counts into a bounded table
 * (PipelineFitter), so the statistics of a file of any size take bounded memory.
 */
export async function summarizeDataset(
  source: DatasetSource,
  preset: PresetName,
  read: ReadOptions = {},
): Promise<DatasetSummary & { firstSkipped?: SkippedRecord }> {
  const { LengthCounter, PipelineFitter, pipelinePresets, sortLabelNames, Vocabulary } =
    await import('@lstmkit/preprocess');
  const fitter = new PipelineFitter(pipelinePresets[preset]);
  const lengths = new LengthCounter();
  const labelCounts = new Map<string, number>();
  const splits: Record<string, number> = {};
  let skipped = 0;
  let firstSkipped: SkippedRecord | undefined;
  const records = source.records({
    onProgress: read.onProgress,
    onSkipped: (record) => {
      skipped++;
      firstSkipped ??= record;
    },
  });
  for await (const record of records) {
    lengths.add(fitter.add(record.text));
    labelCounts.set(record.label, (labelCounts.get(record.label) ?? 0) + 1);
    if (record.split) splits[record.split] = (splits[record.split] ?? 0) + 1;
  }
  const tokens = lengths.stats();
  const labelNames = source.labelNames ?? sortLabelNames(labelCounts.keys());
  const total = Math.max(1, lengths.count);
  const suggestedSeqLen = Math.max(1, Math.ceil(tokens.p95));
  const counts = fitter.counts();
  const summary: DatasetSummary & { firstSkipped?: SkippedRecord } = {
    name: source.name,
    examples: lengths.count,
    skipped,
    labels: labelNames.map((name) => ({
      name,
      count: labelCounts.get(name) ?? 0,
      share: (labelCounts.get(name) ?? 0) / total,
    })),
    preset,
    tokens,
    histogram: lengths.histogram(8, tokens),
    vocabulary: {
      size: Vocabulary.fromCounts(counts).size,
      minCount2: Vocabulary.fromCounts(counts, { minCount: 2 }).size,
    },
    suggestedSeqLen,
    truncatedAtSuggested: lengths.above(suggestedSeqLen),
  };
  if (fitter.pruned.tokens > 0) summary.vocabulary.pruned = fitter.pruned;
  if (Object.keys(splits).length > 0) summary.splits = splits;
  if (firstSkipped !== undefined) summary.firstSkipped = firstSkipped;
  return summary;
}

/** "reading FILE… 41% · 120 MB/s · ETA 8s", redrawn at most every 200 ms. */
function readingStatus(
  source: DatasetSource,
  renderer: ProgressRenderer,
): (progress: ReadProgress) => void {
  const started = performance.now();
  let drawn = 0;
  return ({ bytes }) => {
    const now = performance.now();
    if (now - drawn < 200) return;
    drawn = now;
    const seconds = (now - started) / 1000;
    const rate = bytes / Math.max(seconds, 1e-3);
    const total = source.bytes ?? 0;
    const parts = [`reading ${source.name}…`];
    if (total > 0) parts[0] += ` ${Math.min(100, Math.floor((bytes / total) * 100))}%`;
    else parts.push(`${(bytes / 1e6).toFixed(0)} MB`);
    parts.push(`${formatRate(rate / 1e6)} MB/s`);
    if (total > 0) parts.push(`ETA ${formatDuration(Math.max(0, total - bytes) / rate)}`);
    renderer.setStatus(parts.join(' · '));
  };
}

export async function runData(
  data: string,
  flags: DataCommandFlags & { load: ReturnType<typeof loadOptionsFrom> },
  ctx: Context,
): Promise<void> {
  const { openDataset } = await import('@lstmkit/preprocess/node');
  const source = await openDataset(data, flags.load);
  const renderer = stderrProgress(ctx);
  let result: Awaited<ReturnType<typeof summarizeDataset>>;
  try {
    result = await summarizeDataset(source, flags.preset, {
      onProgress: readingStatus(source, renderer),
    });
  } finally {
    renderer.finish();
  }
  const { firstSkipped, ...summary } = result;
  reportSkippedCount(summary.skipped, firstSkipped, ctx);
  if (flags.json) {
    ctx.print(JSON.stringify(summary));
    return;
  }
  const s = ctx.out;
  const t = summary.tokens;
  ctx.print(
    `${s.bold(summary.name)}  ${formatCount(summary.examples)} examples · ${summary.labels.length} labels${summary.skipped > 0 ? ` · ${formatCount(summary.skipped)} skipped` : ''}`,
  );
  if (summary.splits) {
    ctx.print(
      s.dim(
        `  own split: ${Object.entries(summary.splits)
          .map(([name, n]) => `${name} ${formatCount(n)}`)
          .join(' · ')}`,
      ),
    );
  }
  ctx.print();
  ctx.print(
    renderTable(
      [
        [s.dim('label'), s.dim('examples'), s.dim('share')],
        ...summary.labels.map((label) => [
          label.name,
          formatCount(label.count),
          formatPercent(label.share),
        ]),
      ],
      { indent: 2, align: ['left', 'right', 'right'] },
    ).join('\n'),
  );
  ctx.print();
  ctx.print(
    `${s.bold('Tokens per example')} ${s.dim(`(${summary.preset} cleaning and tokenizer)`)}`,
  );
  ctx.print(
    renderTable(
      [
        ['min', 'p50', 'mean', 'p90', 'p95', 'p99', 'max'].map((h) => s.dim(h)),
        [t.min, t.p50, t.mean, t.p90, t.p95, t.p99, t.max].map((v) =>
          Number.isInteger(v) ? String(v) : v.toFixed(1),
        ),
      ],
      { indent: 2, align: Array(7).fill('right') },
    ).join('\n'),
  );
  const peak = Math.max(1, ...summary.histogram.map((bin) => bin.count));
  ctx.print();
  ctx.print(
    renderTable(
      summary.histogram.map((bin) => [
        `${bin.from}-${bin.to}`,
        formatCount(bin.count),
        s.cyan('■'.repeat(Math.max(bin.count > 0 ? 1 : 0, Math.round((bin.count / peak) * 30)))),
      ]),
      { indent: 2, align: ['right', 'right', 'left'] },
    ).join('\n'),
  );
  ctx.print();
  ctx.print(
    `${s.bold('Vocabulary')}  ${formatCount(summary.vocabulary.size)} tokens · ${formatCount(summary.vocabulary.minCount2)} seen at least twice ${s.dim('(both include <pad> and <unk>)')}`,
  );
  const pruned = summary.vocabulary.pruned;
  if (pruned !== undefined) {
    ctx.print(
      s.dim(
        `  at least: the count table dropped ${formatCount(pruned.tokens)} rare tokens (seen fewer than ${pruned.belowCount} times when dropped) to stay bounded`,
      ),
    );
  }
  ctx.print(
    `${s.bold('Suggested')}   --seq-len ${s.green(String(summary.suggestedSeqLen))} ${s.dim(`(p95: truncates ${formatCount(summary.truncatedAtSuggested)} examples, ${formatPercent(summary.truncatedAtSuggested / Math.max(1, summary.examples))})`)}`,
  );
}

export async function runListDatasets(flags: DataCommandFlags, ctx: Context): Promise<void> {
  const { namedDatasets, dataHome } = await import('@lstmkit/preprocess/node');
  const home = dataHome();
  const rows = namedDatasets.map((name) => ({
    name,
    path: join(home, name),
    present: existsSync(join(home, name)),
  }));
  if (flags.json) {
    ctx.print(JSON.stringify({ dataHome: home, datasets: rows }));
    return;
  }
  const s = ctx.out;
  ctx.print(`${s.bold('Named datasets')} ${s.dim(`in ${home} (set LSTMKIT_DATA_HOME to change)`)}`);
  ctx.print(
    renderTable(
      rows.map((row) => [
        row.name,
        row.present ? s.green('present') : s.yellow('missing'),
        s.dim(row.path),
      ]),
      { indent: 2 },
    ).join('\n'),
  );
  ctx.print();
  ctx.print(
    s.dim(
      "Any .tsv, .csv, fastText file or folder of label sub-folders works too: 'lstmkit data <path>'.",
    ),
  );
}
