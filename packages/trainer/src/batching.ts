import { createRng, shuffleInPlace, type TextPipeline } from '@lstmkit/preprocess';
import { deriveSeed } from './seed.js';

/** A split encoded once to full sequence length, with each row's non-padding column range. */
export interface EncodedSplit {
  ids: Int32Array;
  labels: Int32Array;
  count: number;
  sequenceLength: number;
  /** First non-padding column of each row (sequenceLength for an all-padding row). */
  starts: Int32Array;
  /** One past the last non-padding column of each row (0 for an all-padding row). */
  ends: Int32Array;
}

export interface Batch {
  /** Row-major [size, columns] token ids, all-padding columns trimmed off. */
  ids: Int32Array;
  labels: Int32Array;
  size: number;
  columns: number;
}

/** Sorting happens within chunks of this many batches: enough to group similar lengths, still random. */
const CHUNK_BATCHES = 50;

export function encodeSplit(
  pipeline: TextPipeline,
  examples: readonly { text: string; label: number }[],
): EncodedSplit {
  const { data, shape } = pipeline.encodeBatch(examples.map((e) => e.text));
  const [count, sequenceLength] = shape;
  const padId = pipeline.vocabulary.padId;
  const starts = new Int32Array(count).fill(sequenceLength);
  const ends = new Int32Array(count);
  for (let r = 0; r < count; r++) {
    const row = r * sequenceLength;
    for (let c = 0; c < sequenceLength; c++) {
      if (data[row + c] !== padId) {
        if (c < starts[r]!) starts[r] = c;
        ends[r] = c + 1;
      }
    }
  }
  return {
    ids: data,
    labels: Int32Array.from(examples, (e) => e.label),
    count,
    sequenceLength,
    starts,
    ends,
  };
}

/** Real (non-padding) token count of a row. */
export function rowLength(split: EncodedSplit, row: number): number {
  return Math.max(0, split.ends[row]! - split.starts[row]!);
}

/**
 * One epoch's batches as row indices: shuffle, sort chunks of ~50 batches by length so a batch
 * holds similar lengths (little padding left after trimming), then shuffle the batch order.
 * Depends only on (seed, epoch), so a resumed run replays the same order.
 */
export function planEpoch(
  split: EncodedSplit,
  batchSize: number,
  seed: number,
  epoch: number,
): number[][] {
  const rng = createRng(deriveSeed(seed, 0x5eed, epoch));
  const order = shuffleInPlace(
    Array.from({ length: split.count }, (_, i) => i),
    rng,
  );
  const chunk = batchSize * CHUNK_BATCHES;
  const batches: number[][] = [];
  for (let c = 0; c < order.length; c += chunk) {
    const sorted = order
      .slice(c, c + chunk)
      .sort((a, b) => rowLength(split, a) - rowLength(split, b) || a - b);
    for (let b = 0; b < sorted.length; b += batchSize) batches.push(sorted.slice(b, b + batchSize));
  }
  return shuffleInPlace(batches, rng);
}

/** Batches for evaluation: sorted by length (order does not change metrics), fixed size. */
export function planEvaluation(split: EncodedSplit, batchSize: number): number[][] {
  const order = Array.from({ length: split.count }, (_, i) => i).sort(
    (a, b) => rowLength(split, a) - rowLength(split, b) || a - b,
  );
  const batches: number[][] = [];
  for (let b = 0; b < order.length; b += batchSize) batches.push(order.slice(b, b + batchSize));
  return batches;
}

/**
 * Gather rows and keep only the columns where some row has a real token. The model masks
 * padding, so the trimmed batch gives the same outputs as the full-length one.
 */
export function gatherBatch(split: EncodedSplit, rows: readonly number[]): Batch {
  let from = split.sequenceLength;
  let to = 0;
  for (const r of rows) {
    if (split.starts[r]! < from) from = split.starts[r]!;
    if (split.ends[r]! > to) to = split.ends[r]!;
  }
  if (to <= from) {
    // only empty texts: keep one (padding) column so the model still sees a sequence
    from = 0;
    to = 1;
  }
  const columns = to - from;
  const ids = new Int32Array(rows.length * columns);
  const labels = new Int32Array(rows.length);
  rows.forEach((r, i) => {
    const offset = r * split.sequenceLength;
    ids.set(split.ids.subarray(offset + from, offset + to), i * columns);
    labels[i] = split.labels[r]!;
  });
  return { ids, labels, size: rows.length, columns };
}

/** Fraction of token slots that are padding when batches are padded to full length vs trimmed. */
export function paddingFraction(
  split: EncodedSplit,
  batches: readonly number[][],
): { full: number; trimmed: number } {
  let real = 0;
  let trimmedSlots = 0;
  for (const rows of batches) {
    const batch = gatherBatch(split, rows);
    trimmedSlots += batch.size * batch.columns;
    for (const r of rows) real += rowLength(split, r);
  }
  const fullSlots = split.count * split.sequenceLength;
  return { full: 1 - real / fullSlots, trimmed: 1 - real / Math.max(1, trimmedSlots) };
}
