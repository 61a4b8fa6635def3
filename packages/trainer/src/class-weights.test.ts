import { describe, expect, it } from 'vitest';
import { exampleWeights, resolveClassWeights } from './class-weights.js';

describe('class weights', () => {
  it("'balanced' is n / (classes * count), as scikit-learn and Keras tutorials compute it", () => {
    expect(resolveClassWeights('balanced', [0, 0, 0, 1], ['neg', 'pos'])).toEqual([4 / 6, 2]);
    expect(resolveClassWeights('balanced', [0, 0, 2], ['a', 'b', 'c'])).toEqual([0.5, 0, 1]);
    expect(resolveClassWeights([1, 3], [0, 1], ['neg', 'pos'])).toEqual([1, 3]);
  });

  it('rejects a list of the wrong length or a negative weight, naming the labels', () => {
    expect(() => resolveClassWeights([1], [0], ['neg', 'pos'])).toThrow(/2 weights .*neg, pos/);
    expect(() => resolveClassWeights([1, -1], [0], ['neg', 'pos'])).toThrow(
      /classWeight\[1\]' \(label 'pos'\)/,
    );
  });

  it('multiplies example weights by class weights; none at all means unweighted', () => {
    const examples = [{ label: 0 }, { label: 1, weight: 0.5 }, { label: 1 }];
    expect(Array.from(exampleWeights(examples, [2, 4])!)).toEqual([2, 2, 4]);
    expect(Array.from(exampleWeights(examples, undefined)!)).toEqual([1, 0.5, 1]);
    expect(exampleWeights([{ label: 0 }], undefined)).toBeUndefined();
    expect(() => exampleWeights([{ label: 0, weight: Number.NaN }], undefined)).toThrow(
      /Example 0 of the train split has weight/,
    );
  });
});
