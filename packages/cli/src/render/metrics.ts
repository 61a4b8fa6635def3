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
): string[] {
  const rows: string[][] = [
    ['accuracy', style.bold(formatMetric(metrics.accuracy))],
    ['precision', formatMetric(metrics.precision), style.dim(averagingNote(labelNames))],
    ['recall', formatMetric(metrics.recall)],
    ['f1', formatMetric(metrics.f1)],
  ];
  if (metrics.rocAuc !== undefined) rows.push(['roc auc', formatMetric(metrics.rocAuc)]);
  rows.push(['loss', formatMetric(metrics.loss)], ['examples', formatCount(metrics.count)]);
  return [
    ...renderTable(rows, { indent, align: ['left', 'right', 'left'] }),
    '',
    ...renderConfusionMatrix(metrics.confusionMatrix, labelNames, style, indent),
  ];
}

/** `acc 0.812 · f1 0.806 · loss 0.4211`, for one-line summaries. */
export function metricsInline(metrics: Metrics): string {
  return `acc ${formatMetric(metrics.accuracy)} · f1 ${formatMetric(metrics.f1)} · loss ${formatLoss(metrics.loss)}`;
}
