import { describe, expect, it } from 'vitest';
import { computeMetrics } from './metrics.js';
import { selectThreshold } from './threshold.js';

describe('selectThreshold', () => {
  const labels = [1, 1, 0, 1, 0, 0, 0, 0];
  const scores = [0.9, 0.4, 0.35, 0.3, 0.2, 0.1, 0.1, 0.05];

  it('maximises F1 or accuracy, with the threshold between neighbouring scores', () => {
    const f1 = selectThreshold(labels, scores, 'f1');
    // cut below 0.3: TP 3, FP 1 -> F1 6/7
    expect(f1.threshold).toBeCloseTo(0.25, 12);
    expect(f1.value).toBeCloseTo(6 / 7, 12);
    const at = computeMetrics(
      labels,
      scores.map((s) => [s]),
      2,
      { threshold: f1.threshold },
    );
    expect(at.f1).toBeCloseTo(f1.value, 12);
    const accuracy = selectThreshold(labels, scores, 'accuracy');
    expect(accuracy.value).toBeCloseTo(7 / 8, 12);
    expect(
      computeMetrics(
        labels,
        scores.map((s) => [s]),
        2,
        accuracy,
      ).accuracy,
    ).toBe(7 / 8);
  });

  it('ties go to the threshold nearest 0.5', () => {
    // any cut between 0.2 and 0.8 separates perfectly
    const c = selectThreshold([1, 0], [0.8, 0.2], 'accuracy');
    expect(c).toEqual({ threshold: 0.5, metric: 'accuracy', value: 1 });
  });
});
