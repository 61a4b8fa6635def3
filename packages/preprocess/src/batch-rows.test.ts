import { describe, expect, it } from 'vitest';
import { batchesByLength, gatherRows, rowLengths } from './batch-rows';
import type { EncodedBatch } from './sequence';

// Three rows of length 6: pre-padded (2 tokens), post-padded (3 tokens), empty.
const batch: EncodedBatch = {
  data: Int32Array.from([0, 0, 0, 0, 5, 6, 7, 8, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
  shape: [3, 6],
};

describe('rowLengths', () => {
  it('counts the non-padding tokens of each row', () => {
    expect(Array.from(rowLengths(batch))).toEqual([2, 3, 0]);
    expect(Array.from(rowLengths({ data: Int32Array.from([9, 9, 4]), shape: [1, 3] }, 9))).toEqual([
      1,
    ]);
  });
});

describe('batchesByLength', () => {
  it('sorts the given rows by length, ties by index, and cuts batches', () => {
    expect(batchesByLength([0, 1, 2, 3, 4], [3, 1, 3, 0, 1], 2)).toEqual([[3, 1], [4, 0], [2]]);
    expect(batchesByLength([2, 0], [3, 1, 3], 8)).toEqual([[0, 2]]);
  });
});

describe('gatherRows', () => {
  it('keeps only the columns where some chosen row has a token, in the given row order', () => {
    expect(gatherRows(batch, [1, 0])).toEqual({
      data: Int32Array.from([7, 8, 9, 0, 0, 0, 0, 0, 0, 0, 5, 6]),
      shape: [2, 6],
    });
    expect(gatherRows(batch, [0])).toEqual({ data: Int32Array.from([5, 6]), shape: [1, 2] });
    expect(gatherRows(batch, [1, 2])).toEqual({
      data: Int32Array.from([7, 8, 9, 0, 0, 0]),
      shape: [2, 3],
    });
  });

  it('keeps one padding column for rows that are all padding', () => {
    expect(gatherRows(batch, [2, 2])).toEqual({ data: Int32Array.from([0, 0]), shape: [2, 1] });
  });
});
