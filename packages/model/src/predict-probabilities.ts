import {
  batchesByLength,
  type EncodedBatch,
  gatherRows,
  LstmkitError,
  rowLengths,
} from '@lstmkit/preprocess';
import * as tf from '@tensorflow/tfjs';
import { inferenceDefaults } from './config';
import { FusedPredictor } from './fused/fused-predictor';
import type { ModelConfig } from './model-config';

/** What runs inference: a tfjs model, or its whole forward pass in the fused kernel. */
export type InferenceModel = tf.LayersModel | FusedPredictor;

/**
 * The fused kernel's inference of `model` (with its weights now) where its configuration runs
 * there, else the model itself.
 */
export function inferenceModel(model: tf.LayersModel, config: ModelConfig): InferenceModel {
  return FusedPredictor.supports(config) ? new FusedPredictor(model, config) : model;
}

export interface ProbabilityOptions {
  /** The vocabulary's padding id (columns of it in every row of a batch are trimmed). */
  padId: number;
  /** Rows per model call (default `inferenceDefaults.batchSize`). */
  batchSize?: number;
  /** Real tokens per row, when the caller has them already. */
  lengths?: Int32Array;
}

export function checkBatchSize(batchSize: number): number {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new LstmkitError(
      'INVALID_BATCH_SIZE',
      `batchSize must be a positive integer, got ${batchSize}.`,
    );
  }
  return batchSize;
}

/**
 * The one inference loop: class probabilities of each row of `encoded` (one row per class;
 * a single sigmoid unit becomes [P(0), P(1)]), in input order. Rows run in batches of similar
 * length with all-padding columns trimmed; the model masks padding, so the result is the same
 * as one full-length batch (tested), for a fraction of the work. `model` is the tfjs model or
 * its `FusedPredictor` (the same outputs within float rounding, faster).
 */
export function predictProbabilities(
  model: InferenceModel,
  encoded: EncodedBatch,
  options: ProbabilityOptions,
): number[][] {
  const batchSize = checkBatchSize(options.batchSize ?? inferenceDefaults.batchSize);
  const { padId } = options;
  const count = encoded.shape[0];
  const lengths = options.lengths ?? rowLengths(encoded, padId);
  const all = Array.from({ length: count }, (_, r) => r);
  const probabilities = new Array<number[]>(count);
  for (const rows of batchesByLength(all, lengths, batchSize)) {
    const batch = gatherRows(encoded, rows, padId);
    const values =
      model instanceof FusedPredictor
        ? model.predict(batch.data, ...batch.shape)
        : tf.tidy(() => {
            const ids = tf.tensor2d(batch.data, batch.shape, 'int32');
            return (model.apply(ids, { training: false }) as tf.Tensor).dataSync();
          });
    const width = values.length / rows.length;
    rows.forEach((r, i) => {
      const row = Array.from(values.subarray(i * width, (i + 1) * width));
      probabilities[r] = width === 1 ? [1 - row[0]!, row[0]!] : row;
    });
  }
  return probabilities;
}
