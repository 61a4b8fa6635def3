import { createRng } from '@lstmkit/preprocess';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { leftPaddedIds, smallConfig } from '../__fixtures__/fused-models';
import { testKernels } from '../__fixtures__/kernels';
import { initBackend } from '../backend';
import { createModel } from '../create-model';
import type { ModelConfig } from '../model-config';
import { FusedPredictor } from './fused-predictor';

const VOCAB = 30;
const config = (overrides: Partial<ModelConfig>) =>
  smallConfig({
    vocabSize: VOCAB,
    embeddingDim: 7,
    hiddenSize: 6,
    dropout: 0.3,
    seed: 5,
    ...overrides,
  });

/** Left-padded rows of random lengths, one of them all padding. */
const ids = (seed: number, rows: number, columns: number) =>
  leftPaddedIds(createRng(seed), rows, columns, VOCAB, 1);

const CASES: [string, Partial<ModelConfig>][] = [
  ['LSTM x2, last step', { layers: 2 }],
  ['BiLSTM, pooling', { arch: 'bilstm', head: 'pool' }],
  ['BiLSTM x2, last step, 3 classes', { arch: 'bilstm', layers: 2, numClasses: 3 }],
  [
    'LSTM x2, pooling, 4 classes, hidden 9',
    { layers: 2, head: 'pool', numClasses: 4, hiddenSize: 9 },
  ],
];

describe.each(testKernels)('FusedPredictor on the %s kernel', (kernel) => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', kernel, log: () => {} });
  });

  it.each(CASES)('%s: outputs match model.apply', (_, overrides) => {
    const c = config(overrides);
    const model = createModel(c);
    const predictor = new FusedPredictor(model, c);
    const before = tf.memory().numTensors;
    for (const [rows, columns] of [
      [9, 8],
      [1, 5],
      [33, 3],
    ] as const) {
      const batch = ids(rows * columns, rows, columns);
      const expected = tf.tidy(() =>
        (model.apply(tf.tensor2d(batch, [rows, columns], 'int32')) as tf.Tensor).dataSync(),
      );
      const actual = predictor.predict(batch, rows, columns);
      expect(actual).toHaveLength(expected.length);
      const worst = Math.max(...actual.map((p, i) => Math.abs(p - expected[i]!)));
      expect(worst).toBeLessThan(1e-5);
    }
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('reads the weights when made, refuses ids outside the vocabulary and the tfjs kernel', () => {
    const c = config({});
    const model = createModel(c);
    const batch = ids(1, 4, 6);
    const predictor = new FusedPredictor(model, c);
    const first = predictor.predict(batch, 4, 6);
    const output = model.getLayer('output');
    output.setWeights(output.getWeights().map((w) => tf.tidy(() => w.add(1))));
    expect(predictor.predict(batch, 4, 6)).toEqual(first);
    expect(new FusedPredictor(model, c).predict(batch, 4, 6)).not.toEqual(first);
    expect(() => predictor.predict(Int32Array.of(3, VOCAB), 1, 2)).toThrow(
      `token id ${VOCAB} is outside the vocabulary (0..${VOCAB - 1})`,
    );
    expect(FusedPredictor.supports({ ...c, kernel: 'tfjs' })).toBe(false);
    expect(FusedPredictor.supports({ ...c, arch: 'bilstm', mergeMode: 'sum' })).toBe(false);
    model.dispose();
  });
});
