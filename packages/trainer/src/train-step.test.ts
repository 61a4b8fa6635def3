import { createModel, initBackend } from '@lstmkit/model';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Batch } from './batching.js';
import { clipByGlobalNorm, crossEntropy, trainStep } from './train-step.js';

const config = {
  vocabSize: 20,
  numClasses: 2,
  embeddingDim: 4,
  hiddenSize: 4,
  layers: 1,
  arch: 'lstm',
  mergeMode: 'concat',
  dropout: 0.5,
  recurrentDropout: 0,
  head: 'last',
  seed: 3,
  recurrentInitializer: 'glorotUniform',
} as const;

const batch: Batch = {
  ids: Int32Array.from([0, 2, 3, 4, 5, 6, 7, 8, 0, 0, 9, 10]),
  labels: Int32Array.from([1, 0, 1]),
  size: 3,
  columns: 4,
};

const snapshot = (model: tf.LayersModel) => model.getWeights().map((w) => Array.from(w.dataSync()));

beforeAll(async () => {
  await initBackend({ log: () => {} });
});

describe('crossEntropy', () => {
  it('matches hand-computed binary and categorical values', () => {
    const binary = crossEntropy(tf.tensor2d([[0.8], [0.4]]), tf.tensor1d([1, 0], 'int32'), 2);
    expect(binary.dataSync()[0]).toBeCloseTo(-(Math.log(0.8) + Math.log(0.6)) / 2, 5);
    const categorical = crossEntropy(
      tf.tensor2d([
        [0.2, 0.5, 0.3],
        [0.1, 0.1, 0.8],
      ]),
      tf.tensor1d([1, 2], 'int32'),
      3,
    );
    expect(categorical.dataSync()[0]).toBeCloseTo(-(Math.log(0.5) + Math.log(0.8)) / 2, 5);
  });

  it('weights each example before the mean over the batch (Keras sample_weight)', () => {
    const weights = tf.tensor1d([2, 0.5]);
    const binary = crossEntropy(
      tf.tensor2d([[0.8], [0.4]]),
      tf.tensor1d([1, 0], 'int32'),
      2,
      weights,
    );
    expect(binary.dataSync()[0]).toBeCloseTo(-(2 * Math.log(0.8) + 0.5 * Math.log(0.6)) / 2, 5);
    const categorical = crossEntropy(
      tf.tensor2d([
        [0.2, 0.5, 0.3],
        [0.1, 0.1, 0.8],
      ]),
      tf.tensor1d([1, 2], 'int32'),
      3,
      weights,
    );
    expect(categorical.dataSync()[0]).toBeCloseTo(
      -(2 * Math.log(0.5) + 0.5 * Math.log(0.8)) / 2,
      5,
    );
  });
});

describe('clipByGlobalNorm', () => {
  it('caps the global norm and keeps the direction', () => {
    const grads = [tf.tensor1d([3, 0]), tf.tensor2d([[0, 4]])]; // norm 5
    const { clipped, norm } = clipByGlobalNorm(grads, 1);
    expect(norm.dataSync()[0]).toBeCloseTo(5, 6);
    expect(Array.from(clipped[0]!.dataSync())).toEqual([expect.closeTo(0.6, 6), 0]);
    expect(Array.from(clipped[1]!.dataSync())).toEqual([0, expect.closeTo(0.8, 6)]);
    const untouched = clipByGlobalNorm(grads, 10).clipped;
    expect(Array.from(untouched[0]!.dataSync())).toEqual([3, 0]);
  });
});

describe('trainStep', () => {
  it('applies an update whose global norm is at most clipNorm', () => {
    const model = createModel(config);
    const before = snapshot(model);
    // With plain SGD at learning rate 1 the update is exactly the applied gradient.
    const { gradientNorm, loss } = trainStep(model, tf.train.sgd(1), batch, 2, 0.01, 7);
    const after = snapshot(model);
    const updateNorm = Math.sqrt(
      before.reduce((sum, w, i) => sum + w.reduce((s, v, j) => s + (v - after[i]![j]!) ** 2, 0), 0),
    );
    expect(gradientNorm).toBeGreaterThan(0.01); // clipping engaged
    expect(updateNorm).toBeLessThanOrEqual(0.01 * (1 + 1e-4));
    expect(updateNorm).toBeGreaterThan(0.01 * 0.99);
    expect(loss).toBeGreaterThan(0);
    model.dispose();
  });

  it('is reproducible for a dropout seed and runs dropout in training mode', () => {
    const run = (dropoutSeed: number) => {
      const model = createModel(config);
      const result = trainStep(model, tf.train.sgd(0.1), batch, 2, 5, dropoutSeed);
      const weights = snapshot(model);
      model.dispose();
      return { result, weights };
    };
    const a = run(1);
    const b = run(1);
    const c = run(2);
    expect(b.result).toEqual(a.result);
    expect(b.weights).toEqual(a.weights);
    // another dropout mask gives another loss: dropout is active
    expect(c.result.loss).not.toBeCloseTo(a.result.loss, 6);
  });

  it('weight decay shrinks every weight by lr * decay before the update (AdamW)', () => {
    // A zero-weight batch has zero gradients: what remains is the decay alone.
    const zero: Batch = { ...batch, weights: new Float32Array(batch.size) };
    const model = createModel(config);
    const before = snapshot(model);
    trainStep(model, tf.train.sgd(0.1), zero, 2, 5, 1, 0.5);
    const after = snapshot(model);
    expect(after).toEqual(before.map((w) => w.map((v) => expect.closeTo(v * (1 - 0.1 * 0.5), 6))));
    model.dispose();
  });

  it('leaves no tensors behind', () => {
    const model = createModel(config);
    const optimizer = tf.train.adam(0.01);
    trainStep(model, optimizer, batch, 2, 5, 1); // creates Adam's moment variables
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) trainStep(model, optimizer, batch, 2, 5, i);
    trainStep(model, optimizer, { ...batch, weights: Float32Array.from([1, 2, 3]) }, 2, 5, 4, 0.01);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
    optimizer.dispose();
  });
});
