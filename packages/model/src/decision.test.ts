import { describe, expect, it } from 'vitest';
import { decideClass } from './decision';

describe('decideClass', () => {
  it('binary: class 1 from P(class 1) >= threshold, ties included', () => {
    expect(decideClass([0.5, 0.5])).toBe(1);
    expect(decideClass([0.5000001, 0.4999999])).toBe(0);
    expect(decideClass([0.3, 0.7], 0.8)).toBe(0);
    expect(decideClass([0.3, 0.7], 0.7)).toBe(1);
  });

  it('more classes: the most probable, the lowest index on ties', () => {
    expect(decideClass([0.2, 0.5, 0.3])).toBe(1);
    expect(decideClass([0.4, 0.4, 0.2])).toBe(0);
  });
});
