import { describe, expect, it } from 'vitest';
import { LengthCounter, lengthHistogram, lengthStats } from './length-stats';
import { createRng } from './random';

describe('lengthStats', () => {
  it('gives nearest-rank percentiles', () => {
    const lengths = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(lengthStats(lengths)).toEqual({
      count: 100,
      min: 1,
      max: 100,
      mean: 50.5,
      p50: 50,
      p90: 90,
      p95: 95,
      p99: 99,
    });
    expect(lengthStats(Int32Array.from([7]))).toEqual({
      count: 1,
      min: 7,
      max: 7,
      mean: 7,
      p50: 7,
      p90: 7,
      p95: 7,
      p99: 7,
    });
  });

  it('rejects an empty input', () => {
    expect(() => lengthStats([])).toThrow(/at least one length/);
  });
});

describe('LengthCounter', () => {
  it('equals lengthStats and lengthHistogram of the same lengths, and round-trips JSON', () => {
    const rng = createRng(3);
    for (const [n, spread] of [
      [1, 10],
      [17, 5],
      [1000, 300],
      [5000, 2000],
    ] as const) {
      const lengths = Array.from({ length: n }, () => Math.floor(rng() ** 3 * spread));
      const counter = new LengthCounter();
      for (const length of lengths) counter.add(length);
      const stats = lengthStats(lengths);
      expect(counter.count).toBe(n);
      expect(counter.stats()).toEqual(stats);
      for (const buckets of [1, 8, 13])
        expect(counter.histogram(buckets)).toEqual(lengthHistogram(lengths, stats, buckets));
      expect(counter.above(stats.p95)).toBe(lengths.filter((l) => l > stats.p95).length);
      const back = LengthCounter.fromJSON(JSON.parse(JSON.stringify(counter)));
      expect(back.stats()).toEqual(stats);
      expect(back.toJSON()).toEqual(counter.toJSON());
    }
  });

  it('holds one count per length, not the lengths', () => {
    const counter = new LengthCounter();
    for (let i = 0; i < 100_000; i++) counter.add(i % 3);
    expect(counter.toJSON()).toEqual([
      [0, 33_334],
      [1, 33_333],
      [2, 33_333],
    ]);
  });

  it('rejects bad lengths and bad JSON, and stats of nothing like lengthStats', () => {
    const counter = new LengthCounter();
    expect(() => counter.stats()).toThrow(/at least one length/);
    expect(() => counter.add(-1)).toThrow(/integer >= 0/);
    expect(() => counter.add(1.5)).toThrow(/integer >= 0/);
    expect(() => LengthCounter.fromJSON([[3, 0]])).toThrow(/counts\[0\] must be \[length, count\]/);
  });
});
