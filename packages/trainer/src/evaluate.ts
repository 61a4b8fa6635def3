import type { Classifier } from '@lstmkit/model';
import type { Example } from '@lstmkit/preprocess';
import * as tf from '@tensorflow/tfjs';
import { type EncodedSplit, gatherBatch, planEvaluation } from './batching.js';
import { computeMetrics } from './metrics.js';
import type { Metrics } from './types.js';

/** Inference batches are larger than training ones: no activations are kept for a backward pass. */
const EVALUATION_BATCH_SIZE = 256;

/** Metrics of a trained model on an encoded split, in length-sorted, trimmed batches. */
export function evaluateSplit(
  model: tf.LayersModel,
  split: EncodedSplit,
  numClasses: number,
): Metrics {
  const probabilities: number[][] = new Array(split.count);
  for (const rows of planEvaluation(split, EVALUATION_BATCH_SIZE)) {
    const batch = gatherBatch(split, rows);
    const output = tf.tidy(
      () =>
        model.apply(tf.tensor2d(batch.ids, [batch.size, batch.columns], 'int32'), {
          training: false,
        }) as tf.Tensor,
    );
    const values = output.dataSync();
    output.dispose();
    const width = values.length / batch.size;
    rows.forEach((r, i) => {
      probabilities[r] = Array.from(values.subarray(i * width, (i + 1) * width));
    });
  }
  return computeMetrics(split.labels, probabilities, numClasses);
}

/** Metrics of a loaded classifier on labelled examples (labels index `bundle.labelNames`). */
export function evaluate(classifier: Classifier, examples: readonly Example[]): Metrics {
  const predictions = classifier.predict(examples.map((e) => e.text));
  return computeMetrics(
    examples.map((e) => e.label),
    predictions.map((p) => p.probabilities),
    classifier.bundle.labelNames.length,
  );
}
