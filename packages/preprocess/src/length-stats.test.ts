import { describe, expect, it } from 'vitest';
import { lengthStats } from './length-stats';

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
