import { describe, expect, it } from 'vitest';
import { createRng, shuffleInPlace } from './random';

describe('createRng', () => {
  it('is deterministic for a seed, in [0, 1), and differs across seeds', () => {
    const a = createRng(7);
    const b = createRng(7);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(createRng(8)()).not.toBe(xs[0]);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
  });
});

describe('shuffleInPlace', () => {
  it('permutes in place, deterministically', () => {
    const items = Array.from({ length: 20 }, (_, i) => i);
    const shuffled = shuffleInPlace(items, createRng(1));
    expect(shuffled).toBe(items);
    expect([...items].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(items).toEqual(
      shuffleInPlace(
        Array.from({ length: 20 }, (_, i) => i),
        createRng(1),
      ),
    );
    expect(items).not.toEqual(Array.from({ length: 20 }, (_, i) => i));
  });
});
