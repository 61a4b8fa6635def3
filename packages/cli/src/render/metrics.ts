import type { Metrics } from '@lstmkit/trainer';
import { renderConfusionMatrix } from './confusion-matrix.js';
import { formatCount, formatLoss, formatMetric } from './format.js';
import type { Style } from './style.js';
import { renderTable } from './table.js';

/** Which class precision/recall/F1 are about: the positive class for binary, macro otherwise. */
export function averagingNote(labelNames: readonly string[]): string {
  return labelNames.length === 2 ? `positive class: ${labelNames[1]}` : 'macro average';
}

export function renderMetrics(
  metrics: Metrics,
  labelNames: readonly string[],
  style: Style,
  indent = 2,
  threshold?: number,
): string[] {
  const rows: string[][] = [
    ['accuracy', style.bold(formatMetric(metrics.accuracy))],
    ...(threshold === undefined
      ? []
      : [
          [
            'threshold',
            formatMetric(threshold),
            style.dim(`P(${labelNames[1]}) >= it predicts ${labelNames[1]}`),
          ],
        ]),
    ['precision', formatMetric(metrics.precision), style.dim(averagingNote(labelNames))],
    ['recall', formatMetric(metrics.recall)],
    ['f1', formatMetric(metrics.f1)],
  ];
  if (metrics.rocAuc !== undefined) rows.push(['roc auc', formatMetric(metrics.rocAuc)]);
  rows.push(['loss', formatMetric(metrics.loss)], ['examples', formatCount(metrics.count)]);
  return [
    ...renderTable(rows, { indent, align: ['left', 'right', 'left'] }),
    '',
    ...renderPerClass(metrics, labelNames, style, indent),
    '',
    ...renderConfusionMatrix(metrics.confusionMatrix, labelNames, style, indent),
  ];
}

/** Precision, recall, F1 and support of each label, then macro and weighted averages. */
function renderPerClass(
  metrics: Metrics,
  labelNames: readonly string[],
  style: Style,
  indent: number,
): string[] {
  const scores = (s: { precision: number; recall: number; f1: number }) => [
    formatMetric(s.precision),
    formatMetric(s.recall),
    formatMetric(s.f1),
  ];
  const rows: string[][] = [
    ['', 'precision', 'recall', 'f1', 'support'].map((h) => style.dim(h)),
    ...metrics.perClass.map((s, k) => [labelNames[k]!, ...scores(s), formatCount(s.support)]),
    [style.dim('macro avg'), ...scores(metrics.macro), formatCount(metrics.count)],
    [style.dim('weighted avg'), ...scores(metrics.weighted), formatCount(metrics.count)],
  ];
  return renderTable(rows, { indent, align: ['left', 'right', 'right', 'right', 'right'] });
}

/** `acc 0.812 · f1 0.806 · loss 0.4211`, for one-line summaries. */
export function metricsInline(metrics: Metrics): string {
  return `acc ${formatMetric(metrics.accuracy)} · f1 ${formatMetric(metrics.f1)} · loss ${formatLoss(metrics.loss)}`;
}
