import { type Classifier, inferenceDefaults, predictProbabilities } from '@lstmkit/model';
import type { Example } from '@lstmkit/preprocess';
import type * as tf from '@tensorflow/tfjs';
import type { EncodedSplit } from './batching.js';
import { computeMetrics } from './metrics.js';
import type { Metrics } from './types.js';

/** Metrics of a trained model on an encoded split. */
export function evaluateSplit(
  model: tf.LayersModel,
  split: EncodedSplit,
  numClasses: number,
  options: { rocCurve?: boolean } = {},
): Metrics {
  const probabilities = predictProbabilities(model, split.encoded, {
    padId: split.padId,
    batchSize: inferenceDefaults.batchSize,
    lengths: split.lengths,
  });
  return computeMetrics(split.labels, probabilities, numClasses, options);
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
