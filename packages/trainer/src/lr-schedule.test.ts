import { describe, expect, it } from 'vitest';
import {
  initialLrState,
  type LearningRateSeries,
  learningRateAt,
  recordLearningRate,
  recordValidationLoss,
  resolveLrSchedule,
} from './lr-schedule.js';

describe('learning-rate schedules', () => {
  it('warmup rises linearly to the rate, then cosine decays to the minimum at the last step', () => {
    const s = resolveLrSchedule({ type: 'cosine', minLearningRate: 0.1 }, 4);
    const state = initialLrState(1, 14);
    const rates = Array.from({ length: 15 }, (_, step) => learningRateAt(s, state, step));
    expect(rates.slice(0, 4)).toEqual([0.25, 0.5, 0.75, 1]);
    expect(rates[4]).toBe(1);
    expect(rates[9]).toBeCloseTo(0.1 + 0.9 * 0.5, 12); // halfway through the 10 decay steps
    expect(rates[14]).toBeCloseTo(0.1, 12);
    for (let i = 5; i < 15; i++) expect(rates[i]!).toBeLessThan(rates[i - 1]!);
    const constant = resolveLrSchedule('constant');
    expect(learningRateAt(constant, initialLrState(0.01, 100), 50)).toBe(0.01);
  });

  it('plateau follows Keras ReduceLROnPlateau: factor, patience, min_delta, cooldown, min_lr', () => {
    const s = resolveLrSchedule({
      type: 'plateau',
      factor: 0.5,
      patience: 2,
      cooldown: 1,
      minDelta: 0.01,
      minLearningRate: 0.2,
    });
    let state = initialLrState(1, 0);
    const bases: number[] = [];
    // 0.995 is not better than 1 by more than min_delta
    for (const loss of [1, 0.995, 0.99, 0.9, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, Number.NaN]) {
      state = recordValidationLoss(s, state, loss);
      bases.push(state.base);
    }
    // reduce after 2 non-improvements; the evaluation after a reduction only ends the
    // cooldown (Keras counts it again at once); never below 0.2
    expect(bases).toEqual([1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.2, 0.2, 0.2, 0.2]);
    expect(state.best).toBe(0.9);
    expect(recordValidationLoss(resolveLrSchedule('cosine'), state, 5)).toBe(state);
  });

  it('validates options with the field name', () => {
    expect(() => resolveLrSchedule({ type: 'plateau', factor: 1 })).toThrow(
      "'lrSchedule.factor' must be in (0, 1)",
    );
    expect(() => resolveLrSchedule('step' as never)).toThrow("'lrSchedule' must be");
    expect(() => resolveLrSchedule('constant', -1)).toThrow("'lrSchedule.warmupSteps'");
  });

  it('the series keeps only the steps where the rate changed', () => {
    const series: LearningRateSeries = [];
    for (const [step, rate] of [
      [0, 1],
      [1, 1],
      [2, 0.5],
      [3, 0.5],
    ] as const)
      recordLearningRate(series, step, rate);
    expect(series).toEqual([
      [0, 1],
      [2, 0.5],
    ]);
  });
});
