import type { FusedAdam } from '@lstmkit/model';
import { decisionDefaults, lossDefaults } from '@lstmkit/model/config';
import { createRng } from '@lstmkit/preprocess';
import * as tf from '@tensorflow/tfjs';
import type { Batch } from './batching.js';

const EPSILON = lossDefaults.probabilityEpsilon;

/**
 * Mean cross-entropy from the model's probabilities: binary (one sigmoid unit, labels 0/1) or
 * categorical (softmax over numClasses, integer labels). With `weights`, each example's loss is
 * scaled by its weight before the mean over the batch (Keras' `sample_weight` with the
 * default 'sum_over_batch_size' reduction).
 */
export function crossEntropy(
  probabilities: tf.Tensor,
  labels: tf.Tensor1D,
  numClasses: number,
  weights?: tf.Tensor1D,
): tf.Scalar {
  return tf.tidy((): tf.Scalar => {
    const p = tf.clipByValue(probabilities, EPSILON, 1 - EPSILON);
    let logLikelihood: tf.Tensor;
    if (numClasses === 2) {
      const y = labels.toFloat().reshape([-1, 1]);
      logLikelihood = tf.add(tf.mul(y, tf.log(p)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p))));
    } else {
      const y = tf.oneHot(labels, numClasses).toFloat();
      logLikelihood = tf.sum(tf.mul(y, tf.log(p)), 1);
    }
    if (weights) logLikelihood = tf.mul(logLikelihood.reshape([-1]), weights);
    return tf.neg(tf.mean(logLikelihood)) as tf.Scalar;
  });
}

/** Rows whose predicted class equals the label, by the rule of `decideClass` (@lstmkit/model). */
export function countCorrect(
  probabilities: tf.Tensor,
  labels: tf.Tensor1D,
  numClasses: number,
): tf.Scalar {
  return tf.tidy((): tf.Scalar => {
    const predicted =
      numClasses === 2
        ? tf.greaterEqual(probabilities.reshape([-1]), decisionDefaults.binaryThreshold).toInt()
        : tf.argMax(probabilities, 1).toInt();
    return tf.sum(tf.equal(predicted, labels).toFloat());
  });
}

/** tfjs Adam reads its (protected) rate at each update, so a schedule can set it per step. */
const rateOf = (optimizer: FusedAdam) => optimizer as unknown as { learningRate: number };

export function setLearningRate(optimizer: FusedAdam, learningRate: number): void {
  rateOf(optimizer).learningRate = learningRate;
}

export interface StepResult {
  loss: number;
  correct: number;
  /** Global gradient norm before clipping. */
  gradientNorm: number;
}

/**
 * One optimizer step: forward with training=true (dropout active), cross-entropy (weighted by
 * `batch.weights` when given), gradients, decoupled weight decay (AdamW: w -= lr * weightDecay
 * * w before the Adam update, as PyTorch), then clipping by global norm and the Adam update as
 * one WebAssembly call (FusedAdam). `dropoutSeed` fixes the dropout masks: tfjs draws them
 * from Math.random, so the step runs with Math.random temporarily seeded (the step is
 * synchronous; nothing else can observe it).
 */
export function trainStep(
  model: tf.LayersModel,
  optimizer: FusedAdam,
  batch: Batch,
  numClasses: number,
  clipNorm: number,
  dropoutSeed: number,
  weightDecay = 0,
): StepResult {
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const originalRandom = Math.random;
  Math.random = createRng(dropoutSeed);
  let summary: tf.Tensor1D;
  let gradientNorm = 0;
  try {
    summary = tf.tidy(() => {
      const x = tf.tensor2d(batch.ids, [batch.size, batch.columns], 'int32');
      const y = tf.tensor1d(batch.labels, 'int32');
      const w = batch.weights && tf.tensor1d(batch.weights, 'float32');
      let correct: tf.Scalar | undefined;
      const { value, grads } = tf.variableGrads(() => {
        const probabilities = model.apply(x, { training: true }) as tf.Tensor;
        correct = tf.keep(countCorrect(probabilities, y, numClasses));
        return crossEntropy(probabilities, y, numClasses, w);
      }, variables);
      if (weightDecay > 0) {
        const keep = 1 - rateOf(optimizer).learningRate * weightDecay;
        for (const v of variables) v.assign(tf.mul(v, keep));
      }
      // Adam matches its moment slots by position: always pass gradients in one fixed order.
      gradientNorm = optimizer.applyClippedGradients(
        variables.map((v) => ({ name: v.name, tensor: grads[v.name]! })),
        clipNorm,
      );
      const result = tf.stack([value, correct!]) as tf.Tensor1D;
      correct!.dispose();
      return result;
    });
  } finally {
    Math.random = originalRandom;
  }
  const [loss, correct] = summary.dataSync();
  summary.dispose();
  return { loss: loss!, correct: correct!, gradientNorm };
}
