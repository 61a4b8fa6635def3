import { describe, expect, it } from 'vitest';
import { initialEarlyStopping, recordEvaluation } from './early-stopping.js';

describe('early stopping', () => {
  it('tracks the best loss and stops after `patience` evaluations without improvement', () => {
    const losses = [0.9, 0.7, 0.72, 0.7, 0.69, 0.8, 0.75];
    let state = initialEarlyStopping();
    const seen: { improved: boolean; stop: boolean }[] = [];
    losses.forEach((loss, i) => {
      const r = recordEvaluation(state, loss, { epoch: i + 1, step: (i + 1) * 10 }, 2);
      state = r.state;
      seen.push({ improved: r.improved, stop: r.stop });
    });
    expect(seen.map((s) => s.improved)).toEqual([true, true, false, false, true, false, false]);
    expect(seen.map((s) => s.stop)).toEqual([false, false, false, true, false, false, true]);
    expect(state).toEqual({ bestLoss: 0.69, bestEpoch: 5, bestStep: 50, wait: 2 });
  });

  it('never improves on NaN and never stops with patience 0', () => {
    const first = recordEvaluation(initialEarlyStopping(), Number.NaN, { epoch: 1, step: 1 }, 0);
    expect(first.improved).toBe(false);
    expect(first.stop).toBe(false);
    expect(first.state.bestLoss).toBeNull();
    const second = recordEvaluation(first.state, 0.5, { epoch: 2, step: 2 }, 0);
    expect(second.improved).toBe(true);
  });
});
