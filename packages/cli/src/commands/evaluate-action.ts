import type { Dataset, Example } from '@lstmkit/preprocess';
import { LstmkitError } from '@lstmkit/preprocess';
import type { Context } from '../context.js';
import type { loadOptionsFrom } from '../options/data-options.js';
import { formatCount } from '../render/format.js';
import { renderMetrics } from '../render/metrics.js';
import type { EvaluateFlags } from './evaluate-command.js';
import { loadClassifier } from './load-classifier.js';
import { recordedSplit } from './recorded-split.js';
import { reportSkipped } from './report-skipped.js';

/** Rewrites dataset label indices into the model's label indices, by label name. */
export function alignLabels(dataset: Dataset, modelLabels: readonly string[]): Example[] {
  const index = new Map(modelLabels.map((name, i) => [name, i]));
  const unknown = dataset.labelNames.filter((name) => !index.has(name));
  if (unknown.length > 0) {
    throw new LstmkitError(
      'LABEL_MISMATCH',
      `the data has label${unknown.length === 1 ? '' : 's'} ${unknown.map((l) => `'${l}'`).join(', ')} that the model does not know (model labels: ${modelLabels.join(', ')})`,
      { hint: 'evaluate on data labelled like the training data' },
    );
  }
  const mapping = dataset.labelNames.map((name) => index.get(name) as number);
  return dataset.examples.map((example) => ({
    ...example,
    label: mapping[example.label] as number,
  }));
}

export async function runEvaluate(
  flags: EvaluateFlags & { load: ReturnType<typeof loadOptionsFrom> },
  ctx: Context,
): Promise<void> {
  const classifier = await loadClassifier(flags.model, flags.backend, ctx);
  try {
    const [{ loadDataset }, { splitDataset }, { evaluate }] = await Promise.all([
      import('@lstmkit/preprocess/node'),
      import('@lstmkit/preprocess'),
      import('@lstmkit/trainer'),
    ]);
    const dataset = await loadDataset(flags.data, flags.load);
    reportSkipped(dataset, ctx);
    const labels = classifier.bundle.labelNames;
    let examples: readonly Example[] = dataset.examples;
    let splitNote = 'all examples';
    if (flags.split === 'test') {
      const split = recordedSplit(classifier.bundle.training);
      examples = splitDataset(dataset.examples, split.options).test;
      splitNote = `test split (${split.description})`;
      if (examples.length === 0) {
        throw new LstmkitError('EMPTY_SPLIT', `the test split of ${dataset.name} is empty`, {
          hint: 'use --split all to score every example',
        });
      }
    }
    const aligned = alignLabels({ ...dataset, examples: [...examples] }, labels);
    ctx.info(ctx.err.dim(`scoring ${formatCount(aligned.length)} examples of ${dataset.name}…`));
    const metrics = evaluate(classifier, aligned);
    if (flags.json) {
      ctx.print(
        JSON.stringify({
          model: flags.model,
          data: dataset.name,
          split: flags.split,
          labelNames: labels,
          ...(classifier.bundle.threshold !== undefined && {
            threshold: classifier.bundle.threshold,
          }),
          ...metrics,
        }),
      );
      return;
    }
    const s = ctx.out;
    ctx.print(
      `${s.bold('Evaluation')} ${s.dim(`of ${ctx.displayPath(classifier.bundle.dir)} on ${dataset.name}, ${splitNote}`)}`,
    );
    ctx.print(renderMetrics(metrics, labels, s, 2, classifier.bundle.threshold).join('\n'));
  } finally {
    classifier.dispose();
  }
}
