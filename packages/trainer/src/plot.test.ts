import { describe, expect, it } from 'vitest';
import type { HistoryRow } from './history.js';
import { computeMetrics } from './metrics.js';
import { niceTicks, renderTrainingSvg } from './plot.js';

function row(
  epoch: number,
  trainLoss: number,
  validationProbability: number,
  improved: boolean,
): HistoryRow {
  const validation = computeMetrics(
    [1, 0],
    [[validationProbability], [1 - validationProbability]],
    2,
  );
  return {
    epoch,
    step: epoch * 10,
    epochs: epoch,
    train: { loss: trainLoss, accuracy: 1 - trainLoss / 2 },
    validation,
    improved,
    seconds: epoch,
  };
}

describe('renderTrainingSvg', () => {
  it('draws both panels with a line per series, ticks, legend and the best checkpoint', () => {
    const rows = [row(1, 0.69, 0.6, true), row(2, 0.5, 0.8, true), row(3, 0.3, 0.7, false)];
    const svg = renderTrainingSvg(rows, 'UCI <textbook>');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<polyline /g)).toHaveLength(4);
    expect(svg.match(/<circle /g)).toHaveLength(12);
    expect(svg).toContain('>Loss</text>');
    expect(svg).toContain('>Accuracy</text>');
    expect(svg).toContain('best checkpoint (epoch 2)');
    expect(svg).toContain('UCI &lt;textbook&gt;');
    expect(svg).toMatch(/>100%<\/text>/);
    // every opened element is closed
    const opened = (svg.match(/<(svg|g|text|circle)[ >]/g) ?? []).length;
    const closed = (svg.match(/<\/(svg|g|text|circle)>/g) ?? []).length;
    expect(closed).toBe(opened);
  });

  it('renders an empty history without NaN coordinates', () => {
    const svg = renderTrainingSvg([]);
    expect(svg).toContain('no evaluations yet');
    expect(svg).not.toContain('NaN');
  });
});

describe('niceTicks', () => {
  it('covers the range with round steps', () => {
    expect(niceTicks(0, 10, 6)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(0.31, 0.69, 6)).toEqual([0.3, 0.4, 0.5, 0.6, 0.7]);
    expect(niceTicks(0, 3, 6)).toEqual([0, 1, 2, 3]);
  });
});
