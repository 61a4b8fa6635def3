import { describe, expect, it } from 'vitest';
import { computeMetrics, rocAuc, rocCurve } from './metrics.js';

describe('computeMetrics', () => {
  it('matches hand-computed binary metrics', () => {
    const labels = [1, 0, 1, 1, 0, 0];
    const p = [0.9, 0.4, 0.4, 0.2, 0.6, 0.1];
    const m = computeMetrics(
      labels,
      p.map((x) => [1 - x, x]),
      2,
    );
    // predictions (p >= 0.5): 1 0 0 0 1 0 -> TP 1, FN 2, FP 1, TN 2
    expect(m.confusionMatrix).toEqual([
      [2, 1],
      [2, 1],
    ]);
    expect(m.accuracy).toBeCloseTo(3 / 6, 12);
    expect(m.precision).toBeCloseTo(1 / 2, 12);
    expect(m.recall).toBeCloseTo(1 / 3, 12);
    expect(m.f1).toBeCloseTo(0.4, 12); // 2PR/(P+R) = (1/3)/(5/6)
    // -(ln .9 + ln .6 + ln .4 + ln .2 + ln .4 + ln .9) / 6
    const expectedLoss =
      -(
        Math.log(0.9) +
        Math.log(0.6) +
        Math.log(0.4) +
        Math.log(0.2) +
        Math.log(0.4) +
        Math.log(0.9)
      ) / 6;
    expect(m.loss).toBeCloseTo(expectedLoss, 12);
    // pairs (pos, neg): .9 beats all 3 = 3; .4 vs {.4 tie, .6 lose, .1 win} = 1.5; .2 beats .1 = 1
    expect(m.rocAuc).toBeCloseTo((3 + 1.5 + 1) / 9, 12);
    expect(m.count).toBe(6);
  });

  it('accepts single-probability rows for binary problems', () => {
    const a = computeMetrics([1, 0], [[0.8], [0.3]], 2);
    const b = computeMetrics(
      [1, 0],
      [
        [0.2, 0.8],
        [0.7, 0.3],
      ],
      2,
    );
    expect(a).toEqual(b);
  });

  it('macro-averages precision, recall and F1 for three classes', () => {
    const labels = [0, 0, 1, 1, 2, 2];
    const probabilities = [
      [0.7, 0.2, 0.1], // 0 ok
      [0.2, 0.5, 0.3], // 0 -> 1
      [0.1, 0.8, 0.1], // 1 ok
      [0.1, 0.3, 0.6], // 1 -> 2
      [0.2, 0.2, 0.6], // 2 ok
      [0.3, 0.3, 0.4], // 2 ok
    ];
    const m = computeMetrics(labels, probabilities, 3);
    expect(m.confusionMatrix).toEqual([
      [1, 1, 0],
      [0, 1, 1],
      [0, 0, 2],
    ]);
    // per class P: 1, 1/2, 2/3; R: 1/2, 1/2, 1; F1: 2/3, 1/2, 4/5
    expect(m.precision).toBeCloseTo((1 + 1 / 2 + 2 / 3) / 3, 12);
    expect(m.recall).toBeCloseTo((1 / 2 + 1 / 2 + 1) / 3, 12);
    expect(m.f1).toBeCloseTo((2 / 3 + 1 / 2 + 4 / 5) / 3, 12);
    expect(m.accuracy).toBeCloseTo(4 / 6, 12);
    expect(m.rocAuc).toBeUndefined();
  });

  it('reports 0 precision when nothing is predicted positive and clips log(0)', () => {
    const m = computeMetrics([1, 0], [[0], [0]], 2);
    expect(m.precision).toBe(0);
    expect(m.recall).toBe(0);
    expect(m.f1).toBe(0);
    expect(Number.isFinite(m.loss)).toBe(true);
    expect(m.loss).toBeCloseTo(-Math.log(1e-7) / 2, 6);
  });

  it('rejects labels out of range', () => {
    expect(() => computeMetrics([2], [[0.5]], 2)).toThrow(/label 2/);
  });
});

describe('rocAuc', () => {
  it('is 1 for perfect ranking, 0.5 for all ties, undefined with one class', () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4])).toBe(1);
    expect(rocAuc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5])).toBe(0.5);
    expect(rocAuc([1, 1], [0.2, 0.3])).toBeUndefined();
  });
});

describe('rocCurve', () => {
  it('steps through each distinct score from (0, 0) to (1, 1); ties move both rates', () => {
    // scores high to low: 0.9 (pos), 0.7 (neg), 0.5 (pos and neg tied), 0.1 (neg)
    expect(rocCurve([1, 0, 1, 0, 0], [0.9, 0.7, 0.5, 0.5, 0.1])).toEqual([
      [0, 0],
      [0, 0.5],
      [1 / 3, 0.5],
      [2 / 3, 1],
      [1, 1],
    ]);
    expect(rocCurve([1, 1], [0.2, 0.3])).toBeUndefined();
  });

  it('thins long curves to maxPoints, keeping both ends', () => {
    const labels = Array.from({ length: 1000 }, (_, i) => i % 2);
    const scores = labels.map((_, i) => i / 1000);
    const curve = rocCurve(labels, scores, 11)!;
    expect(curve).toHaveLength(11);
    expect(curve[0]).toEqual([0, 0]);
    expect(curve[10]).toEqual([1, 1]);
  });

  it('is in the metrics only when asked for', () => {
    const probabilities = [[0.2], [0.8], [0.6], [0.4]];
    expect(computeMetrics([0, 1, 1, 0], probabilities, 2).rocCurve).toBeUndefined();
    expect(computeMetrics([0, 1, 1, 0], probabilities, 2, { rocCurve: true }).rocCurve).toEqual([
      [0, 0],
      [0, 0.5],
      [0, 1],
      [0.5, 1],
      [1, 1],
    ]);
  });
});
