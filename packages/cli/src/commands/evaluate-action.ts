import { LstmkitError } from '@lstmkit/preprocess';
import type { Metrics } from '@lstmkit/trainer';
import type { Context } from '../context.js';
import type { loadOptionsFrom } from '../options/data-options.js';
import { renderMetrics } from '../render/metrics.js';
import type { EvaluateFlags } from './evaluate-command.js';
import { loadClassifier } from './load-classifier.js';
import { recordedSplit } from './recorded-split.js';
import { watchSkipped } from './report-skipped.js';
import { stderrProgress } from './stderr-progress.js';

export async function runEvaluate(
  flags: EvaluateFlags & { load: ReturnType<typeof loadOptionsFrom> },
  ctx: Context,
): Promise<void> {
  const classifier = await loadClassifier(flags.model, flags.backend, ctx);
  try {
    const [{ openDataset }, { evaluateSource }] = await Promise.all([
      import('@lstmkit/preprocess/node'),
      import('@lstmkit/trainer'),
    ]);
    const recorded = flags.split === 'test' ? recordedSplit(classifier.bundle.training) : undefined;
    const source = await openDataset(flags.data, flags.load);
    const renderer = stderrProgress(ctx);
    const skipped = watchSkipped(source);
    let metrics: Metrics;
    try {
      metrics = await evaluateSource(classifier, skipped.source, {
        ...(recorded && { split: recorded.split }),
        onEvent: (event) => renderer.handle(event),
      });
    } finally {
      renderer.finish();
    }
    skipped.report(ctx);
    if (metrics.count === 0) {
      throw new LstmkitError('EMPTY_SPLIT', `the test split of ${source.name} is empty`, {
        hint: 'use --split all to score every example',
      });
    }
    const labels = classifier.bundle.labelNames;
    const splitNote = recorded ? `test split (${recorded.description})` : 'all examples';
    if (flags.json) {
      ctx.print(
        JSON.stringify({
          model: flags.model,
          data: source.name,
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
      `${s.bold('Evaluation')} ${s.dim(`of ${ctx.displayPath(classifier.bundle.dir)} on ${source.name}, ${splitNote}`)}`,
    );
    ctx.print(renderMetrics(metrics, labels, s, 2, classifier.bundle.threshold).join('\n'));
  } finally {
    classifier.dispose();
  }
}
