import { describe, expect, it } from 'vitest';
import { type EncodedSplit, gatherBatch, paddingFraction, planEpoch } from './batching.js';

/** Rows of `lengths[i]` real tokens (id 10 + i) post-padded to `sequenceLength`. */
function makeSplit(
  lengths: number[],
  sequenceLength: number,
  padding: 'pre' | 'post' = 'post',
): EncodedSplit {
  const count = lengths.length;
  const ids = new Int32Array(count * sequenceLength);
  lengths.forEach((length, r) => {
    const start = padding === 'post' ? 0 : sequenceLength - length;
    for (let c = 0; c < length; c++) ids[r * sequenceLength + start + c] = 10 + r;
  });
  return {
    encoded: { data: ids, shape: [count, sequenceLength] },
    labels: Int32Array.from(lengths, (_, i) => i % 2),
    lengths: Int32Array.from(lengths),
    padId: 0,
    count,
    sequenceLength,
  };
}

describe('planEpoch', () => {
  const lengths = Array.from({ length: 1000 }, (_, i) => 1 + ((i * 7919) % 50));
  const split = makeSplit(lengths, 50);

  it('visits every row exactly once per epoch, in batches of batchSize', () => {
    const batches = planEpoch(split, 32, 42, 1, 0);
    expect(batches).toHaveLength(Math.ceil(1000 / 32));
    expect(batches.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(batches.filter((b) => b.length !== 32)).toHaveLength(1);
  });

  it('is a function of (seed, epoch)', () => {
    expect(planEpoch(split, 32, 42, 1, 0)).toEqual(planEpoch(split, 32, 42, 1, 0));
    expect(planEpoch(split, 32, 42, 2, 0)).not.toEqual(planEpoch(split, 32, 42, 1, 0));
    expect(planEpoch(split, 32, 43, 1, 0)).not.toEqual(planEpoch(split, 32, 42, 1, 0));
  });

  it('groups similar lengths so trimming removes most padding', () => {
    const { full, trimmed } = paddingFraction(split, planEpoch(split, 32, 42, 1, 0));
    const meanLength = lengths.reduce((a, b) => a + b, 0) / lengths.length;
    expect(full).toBeCloseTo(1 - meanLength / 50, 10);
    expect(trimmed).toBeLessThan(0.05);
  });
});

describe('gatherBatch', () => {
  it('trims all-padding columns for post padding', () => {
    const split = makeSplit([2, 4, 1], 6);
    const batch = gatherBatch(split, [2, 0]);
    expect(batch.columns).toBe(2);
    expect(Array.from(batch.ids)).toEqual([12, 0, 10, 10]);
    expect(Array.from(batch.labels)).toEqual([0, 0]);
  });

  it('trims leading columns for pre padding', () => {
    const split = makeSplit([2, 3], 5, 'pre');
    const batch = gatherBatch(split, [0, 1]);
    expect(batch.columns).toBe(3);
    expect(Array.from(batch.ids)).toEqual([0, 10, 10, 11, 11, 11]);
  });

  it('keeps one column when every text is empty', () => {
    const batch = gatherBatch(makeSplit([0, 0], 4), [0, 1]);
    expect(batch.columns).toBe(1);
    expect(Array.from(batch.ids)).toEqual([0, 0]);
  });
});
