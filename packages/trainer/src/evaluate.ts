import { type Classifier, inferenceDefaults, predictProbabilities } from '@lstmkit/model';
import type { Example } from '@lstmkit/preprocess';
import type * as tf from '@tensorflow/tfjs';
import type { EncodedSplit } from './batching.js';
import { computeMetrics } from './metrics.js';
import type { Metrics } from './types.js';

/** Metrics of a trained model on an encoded split (binary: label 1 at P >= threshold). */
export function evaluateSplit(
  model: tf.LayersModel,
  split: EncodedSplit,
  numClasses: number,
  options: { rocCurve?: boolean; threshold?: number } = {},
): Metrics {
  return computeMetrics(split.labels, splitProbabilities(model, split), numClasses, options);
}

/** The class probabilities of each example of a split, in its order. */
export function splitProbabilities(model: tf.LayersModel, split: EncodedSplit): number[][] {
  return predictProbabilities(model, split.encoded, {
    padId: split.padId,
    batchSize: inferenceDefaults.batchSize,
    lengths: split.lengths,
  });
}

/**
 * Metrics of a loaded classifier on labelled examples (labels index `bundle.labelNames`), with
 * its decision threshold.
 */
export function evaluate(classifier: Classifier, examples: readonly Example[]): Metrics {
  const predictions = classifier.predict(examples.map((e) => e.text));
  return computeMetrics(
    examples.map((e) => e.label),
    predictions.map((p) => p.probabilities),
    classifier.bundle.labelNames.length,
    { threshold: classifier.threshold },
  );
}
