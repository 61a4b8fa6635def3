import { createModel, FusedAdam, initBackend } from '@lstmkit/model';
import { createRng } from '@lstmkit/preprocess';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Batch } from './batching.js';
import { crossEntropy, trainStep } from './train-step.js';

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

describe('trainStep', () => {
  it('clips by global norm and takes the Adam step of the stock tfjs ops', () => {
    const model = createModel(config);
    const reference = createModel(config);
    // The stock path on the same weights: tfjs gradients, clipping and Adam.
    const variables = reference.trainableWeights.map((w) => w.read() as tf.Variable);
    const originalRandom = Math.random;
    Math.random = createRng(7);
    const expectedNorm = tf.tidy(() => {
      const x = tf.tensor2d(batch.ids, [batch.size, batch.columns], 'int32');
      const y = tf.tensor1d(batch.labels, 'int32');
      const { grads } = tf.variableGrads(
        () => crossEntropy(reference.apply(x, { training: true }) as tf.Tensor, y, 2),
        variables,
      );
      const list = variables.map((v) => grads[v.name]!);
      const norm = tf.sqrt(tf.addN(list.map((g) => tf.sum(tf.square(g)))));
      const scale = tf.div(0.01, tf.maximum(norm, 0.01));
      const adam = tf.train.adam(0.01);
      adam.applyGradients(
        variables.map((v, i) => ({ name: v.name, tensor: tf.mul(list[i]!, scale) })),
      );
      adam.dispose();
      return norm.dataSync()[0]!;
    });
    Math.random = originalRandom;
    const optimizer = new FusedAdam(0.01);
    const { gradientNorm, loss } = trainStep(model, optimizer, batch, 2, 0.01, 7);
    expect(gradientNorm).toBeGreaterThan(0.01); // clipping engaged
    expect(Math.abs(gradientNorm - expectedNorm) / expectedNorm).toBeLessThan(1e-5);
    const after = snapshot(model);
    snapshot(reference).forEach((w, i) => {
      w.forEach((v, j) => {
        expect(after[i]![j]!).toBeCloseTo(v, 6);
      });
    });
    expect(loss).toBeGreaterThan(0);
    model.dispose();
    reference.dispose();
    optimizer.dispose();
  });

  it('is reproducible for a dropout seed and runs dropout in training mode', () => {
    const run = (dropoutSeed: number) => {
      const model = createModel(config);
      const optimizer = new FusedAdam(0.1);
      const result = trainStep(model, optimizer, batch, 2, 5, dropoutSeed);
      optimizer.dispose();
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
    // Adam's step for a zero gradient is 0 / (0 + epsilon) = 0.
    const optimizer = new FusedAdam(0.1);
    trainStep(model, optimizer, zero, 2, 5, 1, 0.5);
    optimizer.dispose();
    const after = snapshot(model);
    expect(after).toEqual(before.map((w) => w.map((v) => expect.closeTo(v * (1 - 0.1 * 0.5), 6))));
    model.dispose();
  });

  it('leaves no tensors behind', () => {
    const model = createModel(config);
    const optimizer = new FusedAdam(0.01);
    trainStep(model, optimizer, batch, 2, 5, 1); // creates Adam's moment variables
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) trainStep(model, optimizer, batch, 2, 5, i);
    trainStep(model, optimizer, { ...batch, weights: Float32Array.from([1, 2, 3]) }, 2, 5, 4, 0.01);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
    optimizer.dispose();
  });
});
