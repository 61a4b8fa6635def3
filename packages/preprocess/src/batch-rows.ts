import type { EncodedBatch } from './sequence';

// Padding-aware batching shared by training and inference: rows of similar length go together,
// and the columns that are padding in every row of a batch are dropped. A model that masks
// padding gives the same outputs on the trimmed batch, for a fraction of the work.

/** Real (non-padding) tokens in each row. */
export function rowLengths(batch: EncodedBatch, padId = 0): Int32Array {
  const [rows, length] = batch.shape;
  const lengths = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let count = 0;
    for (let c = r * length; c < (r + 1) * length; c++) if (batch.data[c] !== padId) count++;
    lengths[r] = count;
  }
  return lengths;
}

/** `rows` sorted by length (ties by index), cut into batches of `batchSize`. */
export function batchesByLength(
  rows: readonly number[],
  lengths: ArrayLike<number>,
  batchSize: number,
): number[][] {
  const sorted = [...rows].sort((a, b) => lengths[a]! - lengths[b]! || a - b);
  const batches: number[][] = [];
  for (let b = 0; b < sorted.length; b += batchSize) batches.push(sorted.slice(b, b + batchSize));
  return batches;
}

/**
 * The given rows, in order, without the columns that are padding in all of them. At least one
 * column is kept, so a batch of empty texts is still a sequence.
 */
export function gatherRows(batch: EncodedBatch, rows: readonly number[], padId = 0): EncodedBatch {
  const length = batch.shape[1];
  const { data } = batch;
  let from = length;
  let to = 0;
  for (const r of rows) {
    const row = r * length;
    for (let c = 0; c < from; c++) {
      if (data[row + c] !== padId) {
        from = c;
        break;
      }
    }
    for (let c = length - 1; c >= to; c--) {
      if (data[row + c] !== padId) {
        to = c + 1;
        break;
      }
    }
  }
  if (to <= from) [from, to] = [0, 1];
  const columns = to - from;
  const out = new Int32Array(rows.length * columns);
  rows.forEach((r, i) => {
    out.set(data.subarray(r * length + from, r * length + to), i * columns);
  });
  return { data: out, shape: [rows.length, columns] };
}
