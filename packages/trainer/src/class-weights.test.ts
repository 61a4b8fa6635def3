import { describe, expect, it } from 'vitest';
import { resolveClassWeights } from './class-weights.js';

describe('class weights', () => {
  it("'balanced' is n / (classes * count), as scikit-learn and Keras tutorials compute it", () => {
    expect(resolveClassWeights('balanced', [3, 1], ['neg', 'pos'])).toEqual([4 / 6, 2]);
    expect(resolveClassWeights('balanced', [2, 0, 1], ['a', 'b', 'c'])).toEqual([0.5, 0, 1]);
    expect(resolveClassWeights([1, 3], [1, 1], ['neg', 'pos'])).toEqual([1, 3]);
  });

  it('rejects a list of the wrong length or a negative weight, naming the labels', () => {
    expect(() => resolveClassWeights([1], [1, 0], ['neg', 'pos'])).toThrow(/2 weights .*neg, pos/);
    expect(() => resolveClassWeights([1, -1], [1, 0], ['neg', 'pos'])).toThrow(
      /classWeight\[1\]' \(label 'pos'\)/,
    );
  });
});
