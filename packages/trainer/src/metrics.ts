import { decideClass, lossDefaults } from '@lstmkit/model/config';
import type { AveragedScores, ClassScores, Metrics } from './types.js';

/** Probabilities are clipped like Keras so one confident mistake cannot make the loss infinite. */
const EPSILON = lossDefaults.probabilityEpsilon;

/**
 * Loss, accuracy, precision/recall/F1 (binary: positive class = label 1; otherwise macro
 * averages; per class, macro and weighted averages always), confusion matrix (rows = true label, columns = prediction) and, for binary
 * problems with both classes present, rank-based ROC AUC.
 *
 * Each row of `probabilities` holds one probability per class; for binary problems a row may
 * also hold the positive-class probability alone (the model's single sigmoid unit). Binary
 * problems decide by `decideClass` (@lstmkit/model) with `threshold` (default 0.5).
 */
export function computeMetrics(
  labels: ArrayLike<number>,
  probabilities: number[][],
  numClasses: number,
  options: { rocCurve?: boolean; threshold?: number } = {},
): Metrics {
  const { threshold } = options;
  const count = labels.length;
  if (probabilities.length !== count) {
    throw new RangeError(`computeMetrics: ${count} labels but ${probabilities.length} rows`);
  }
  const confusionMatrix = Array.from({ length: numClasses }, () =>
    new Array<number>(numClasses).fill(0),
  );
  const positiveScores = numClasses === 2 ? new Float64Array(count) : undefined;
  let lossSum = 0;
  let correct = 0;
  for (let i = 0; i < count; i++) {
    const label = labels[i]!;
    const row = classProbabilities(probabilities[i]!, numClasses);
    if (!Number.isInteger(label) || label < 0 || label >= numClasses) {
      throw new RangeError(
        `computeMetrics: label ${label} at row ${i} is not in [0, ${numClasses})`,
      );
    }
    lossSum -= Math.log(Math.min(1 - EPSILON, Math.max(EPSILON, row[label]!)));
    const predicted = decideClass(row, threshold);
    if (predicted === label) correct++;
    confusionMatrix[label]![predicted]!++;
    if (positiveScores) positiveScores[i] = row[1]!;
  }

  const perClass = confusionMatrix.map((_, k) => classScores(confusionMatrix, k));
  const macro = average(perClass, () => 1);
  const weighted = average(perClass, (s) => s.support);
  const { support: _, ...positive } = perClass[1]!;
  const metrics: Metrics = {
    loss: count === 0 ? Number.NaN : lossSum / count,
    accuracy: count === 0 ? Number.NaN : correct / count,
    ...(numClasses === 2 ? positive : macro),
    perClass,
    macro,
    weighted,
    confusionMatrix,
    count,
  };
  if (positiveScores) {
    const auc = rocAuc(labels, positiveScores);
    if (auc !== undefined) metrics.rocAuc = auc;
    const curve = options.rocCurve ? rocCurve(labels, positiveScores) : undefined;
    if (curve !== undefined) metrics.rocCurve = curve;
  }
  return metrics;
}

/**
 * Area under the ROC curve as the Mann-Whitney U statistic: the probability that a random
 * positive scores above a random negative, ties counting half (average ranks). Undefined
 * when either class is absent.
 */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number | undefined {
  const n = labels.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let positives = 0;
  let positiveRankSum = 0;
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && scores[order[end]!] === scores[order[start]!]) end++;
    const averageRank = (start + 1 + end) / 2; // ranks start..end-1 are 1-based start+1..end
    for (let j = start; j < end; j++) {
      if (labels[order[j]!] === 1) {
        positives++;
        positiveRankSum += averageRank;
      }
    }
    start = end;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return undefined;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * The ROC curve as [false positive rate, true positive rate] points from (0, 0) to (1, 1), one
 * per distinct score (thresholds from high to low), thinned to at most `maxPoints`. Undefined
 * when either class is absent.
 */
export function rocCurve(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  maxPoints = 101,
): [number, number][] | undefined {
  const n = labels.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  let positives = 0;
  for (let i = 0; i < n; i++) if (labels[i] === 1) positives++;
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return undefined;
  const points: [number, number][] = [[0, 0]];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < n; k++) {
    if (labels[order[k]!] === 1) tp++;
    else fp++;
    if (k === n - 1 || scores[order[k + 1]!] !== scores[order[k]!]) {
      points.push([fp / negatives, tp / positives]);
    }
  }
  if (points.length <= maxPoints) return points;
  const step = (points.length - 1) / (maxPoints - 1);
  return Array.from({ length: maxPoints }, (_, i) => points[Math.round(i * step)]!);
}

function classProbabilities(row: number[], numClasses: number): number[] {
  if (row.length === numClasses) return row;
  if (numClasses === 2 && row.length === 1) return [1 - row[0]!, row[0]!];
  throw new RangeError(
    `computeMetrics: a row has ${row.length} probabilities for ${numClasses} classes`,
  );
}

/** Precision and recall are 0 when undefined (no predictions / no examples of the class). */
function classScores(matrix: number[][], k: number): ClassScores {
  const truePositives = matrix[k]![k]!;
  const predicted = matrix.reduce((sum, row) => sum + row[k]!, 0);
  const actual = matrix[k]!.reduce((sum, v) => sum + v, 0);
  const precision = predicted === 0 ? 0 : truePositives / predicted;
  const recall = actual === 0 ? 0 : truePositives / actual;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1, support: actual };
}

/** Scikit-learn's averages: macro weighs classes equally, weighted by support (true count). */
function average(
  perClass: readonly ClassScores[],
  weight: (s: ClassScores) => number,
): AveragedScores {
  const total = perClass.reduce((sum, s) => sum + weight(s), 0);
  const mean = (field: keyof AveragedScores) =>
    total === 0 ? 0 : perClass.reduce((sum, s) => sum + weight(s) * s[field], 0) / total;
  return { precision: mean('precision'), recall: mean('recall'), f1: mean('f1') };
}
