import type { ModelConfig } from '../model-config';

/** A small model configuration for the fused trainer's and predictor's equality tests. */
export function smallConfig(overrides: Partial<ModelConfig>): ModelConfig {
  return {
    vocabSize: 40,
    numClasses: 2,
    embeddingDim: 6,
    hiddenSize: 5,
    layers: 1,
    arch: 'lstm',
    mergeMode: 'concat',
    dropout: 0,
    recurrentDropout: 0,
    head: 'last',
    seed: 3,
    recurrentInitializer: 'glorotUniform',
    ...overrides,
  };
}

/**
 * [rows, columns] ids below `vocab`, left-padded to random lengths as the trainer's batches, row
 * `emptyRow` all padding.
 */
export function leftPaddedIds(
  rng: () => number,
  rows: number,
  columns: number,
  vocab: number,
  emptyRow: number,
): Int32Array {
  const ids = new Int32Array(rows * columns);
  for (let b = 0; b < rows; b++) {
    const length = b === emptyRow ? 0 : 1 + Math.floor(rng() * columns);
    for (let t = columns - length; t < columns; t++) {
      ids[b * columns + t] = 1 + Math.floor(rng() * (vocab - 1));
    }
  }
  return ids;
}
