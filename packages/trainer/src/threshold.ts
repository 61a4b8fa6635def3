export type ThresholdMetric = 'f1' | 'accuracy';

export interface ThresholdChoice {
  /** Predict the positive class (label 1) when P(label 1) >= threshold. */
  threshold: number;
  metric: ThresholdMetric;
  /** The metric on the split it was chosen on, at that threshold. */
  value: number;
}

/**
 * The decision threshold that maximises F1 (of label 1) or accuracy on labelled scores, over
 * every distinct score as a candidate. Ties go to the candidate nearest 0.5, so a model whose
 * scores separate the classes anywhere keeps the usual rule. The threshold is the midpoint
 * between the cut's neighbouring scores, which generalises better than a score itself.
 */
export function selectThreshold(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  metric: ThresholdMetric,
): ThresholdChoice {
  const n = labels.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  let positives = 0;
  for (let i = 0; i < n; i++) if (labels[i] === 1) positives++;
  const score = (tp: number, predicted: number) => {
    if (metric === 'accuracy') return (tp + (n - predicted - (positives - tp))) / Math.max(1, n);
    const denominator = predicted + positives;
    return denominator === 0 ? 0 : (2 * tp) / denominator;
  };
  // Predicting nothing positive: the threshold above every score.
  let best = {
    threshold: n === 0 ? 0.5 : Math.min(1, scores[order[0]!]! + 1e-6),
    value: score(0, 0),
  };
  const better = (value: number, threshold: number) =>
    value > best.value ||
    (value === best.value && Math.abs(threshold - 0.5) < Math.abs(best.threshold - 0.5));
  let tp = 0;
  for (let k = 0; k < n; ) {
    // Everything scoring >= the k-th highest score is predicted positive (ties move together).
    const s = scores[order[k]!]!;
    while (k < n && scores[order[k]!] === s) {
      if (labels[order[k]!] === 1) tp++;
      k++;
    }
    const below = k < n ? scores[order[k]!]! : 0;
    const threshold = (s + below) / 2;
    const value = score(tp, k);
    if (better(value, threshold)) best = { threshold, value };
  }
  return { threshold: best.threshold, metric, value: best.value };
}
