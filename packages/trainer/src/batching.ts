import {
  batchesByLength,
  createRng,
  type EncodedBatch,
  gatherRows,
  shuffleInPlace,
} from '@lstmkit/preprocess';
import { deriveSeed } from './seed.js';

/** A split encoded once to full sequence length, with each row's real token count. */
export interface EncodedSplit {
  encoded: EncodedBatch;
  labels: Int32Array;
  /** Non-padding tokens of each row. */
  lengths: Int32Array;
  /** Loss weight of each row (class and example weights); absent: all 1. */
  weights?: Float32Array;
  padId: number;
  count: number;
  sequenceLength: number;
}

export interface Batch {
  /** Row-major [size, columns] token ids, all-padding columns trimmed off. */
  ids: Int32Array;
  labels: Int32Array;
  weights?: Float32Array;
  size: number;
  columns: number;
}

/** Sorting happens within chunks of this many batches: enough to group similar lengths, still random. */
export const CHUNK_BATCHES = 50;

/**
 * One epoch's batches as row indices: shuffle, sort chunks of ~50 batches by length so a batch
 * holds similar lengths (little padding left after trimming), then shuffle the batch order.
 * Depends only on (seed, epoch, window), so a resumed run replays the same order.
 */
export function planEpoch(
  split: EncodedSplit,
  batchSize: number,
  seed: number,
  epoch: number,
  window: number,
): number[][] {
  const rng = createRng(deriveSeed(seed, 0x5eed, epoch, window));
  const order = shuffleInPlace(
    Array.from({ length: split.count }, (_, i) => i),
    rng,
  );
  const chunk = batchSize * CHUNK_BATCHES;
  const batches: number[][] = [];
  for (let c = 0; c < order.length; c += chunk) {
    batches.push(...batchesByLength(order.slice(c, c + chunk), split.lengths, batchSize));
  }
  return shuffleInPlace(batches, rng);
}

/**
 * Gather rows and keep only the columns where some row has a real token. The model masks
 * padding, so the trimmed batch gives the same outputs as the full-length one.
 */
export function gatherBatch(split: EncodedSplit, rows: readonly number[]): Batch {
  const { data, shape } = gatherRows(split.encoded, rows, split.padId);
  return {
    ids: data,
    labels: Int32Array.from(rows, (r) => split.labels[r]!),
    ...(split.weights && { weights: Float32Array.from(rows, (r) => split.weights![r]!) }),
    size: shape[0],
    columns: shape[1],
  };
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
    for (const r of rows) real += split.lengths[r]!;
  }
  const fullSlots = split.count * split.sequenceLength;
  return { full: 1 - real / fullSlots, trimmed: 1 - real / Math.max(1, trimmedSlots) };
}
