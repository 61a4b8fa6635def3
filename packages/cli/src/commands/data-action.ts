import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset, LengthStats } from '@lstmkit/preprocess';
import type { PresetName } from '@lstmkit/trainer/config';
import type { Context } from '../context.js';
import type { loadOptionsFrom } from '../options/data-options.js';
import { formatCount, formatPercent } from '../render/format.js';
import { renderTable } from '../render/table.js';
import type { DataCommandFlags } from './data-command.js';
import { reportSkipped } from './report-skipped.js';

export interface DatasetSummary {
  name: string;
  examples: number;
  skipped: number;
  labels: { name: string; count: number; share: number }[];
  splits?: Record<string, number>;
  preset: string;
  tokens: LengthStats;
  histogram: { from: number; to: number; count: number }[];
  vocabulary: { size: number; minCount2: number };
  suggestedSeqLen: number;
  truncatedAtSuggested: number;
}

export async function summarizeDataset(
  dataset: Dataset,
  preset: PresetName,
): Promise<DatasetSummary> {
  const { cleanText, tokenize, lengthHistogram, lengthStats, pipelinePresets, Vocabulary } =
    await import('@lstmkit/preprocess');
  const config = pipelinePresets[preset];
  const tokenLists = dataset.examples.map((example) =>
    tokenize(cleanText(example.text, config.clean), config.tokenizer),
  );
  const lengths = tokenLists.map((tokens) => tokens.length);
  const tokens = lengthStats(lengths);
  const counts = dataset.labelNames.map(() => 0);
  const splits: Record<string, number> = {};
  for (const example of dataset.examples) {
    counts[example.label] = (counts[example.label] ?? 0) + 1;
    if (example.split) splits[example.split] = (splits[example.split] ?? 0) + 1;
  }
  const total = Math.max(1, dataset.examples.length);
  const suggestedSeqLen = Math.max(1, Math.ceil(tokens.p95));
  const summary: DatasetSummary = {
    name: dataset.name,
    examples: dataset.examples.length,
    skipped: dataset.skipped.length,
    labels: dataset.labelNames.map((name, i) => ({
      name,
      count: counts[i] ?? 0,
      share: (counts[i] ?? 0) / total,
    })),
    preset,
    tokens,
    histogram: lengthHistogram(lengths, tokens),
    vocabulary: {
      size: Vocabulary.build(tokenLists).size,
      minCount2: Vocabulary.build(tokenLists, { minCount: 2 }).size,
    },
    suggestedSeqLen,
    truncatedAtSuggested: lengths.filter((length) => length > suggestedSeqLen).length,
  };
  if (Object.keys(splits).length > 0) summary.splits = splits;
  return summary;
}

export async function runData(
  data: string,
  flags: DataCommandFlags & { load: ReturnType<typeof loadOptionsFrom> },
  ctx: Context,
): Promise<void> {
  const { loadDataset } = await import('@lstmkit/preprocess/node');
  const dataset = await loadDataset(data, flags.load);
  reportSkipped(dataset, ctx);
  const summary = await summarizeDataset(dataset, flags.preset);
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
