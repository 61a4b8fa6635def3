import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from './backend';
import { createModel, lstmParameterCount } from './create-model';
import type { Arch, Head, ModelConfig } from './model-config';

const base: ModelConfig = {
  vocabSize: 30,
  numClasses: 2,
  embeddingDim: 6,
  hiddenSize: 5,
  layers: 2,
  arch: 'lstm',
  mergeMode: 'concat',
  dropout: 0.5,
  recurrentDropout: 0,
  head: 'last',
  seed: 7,
  recurrentInitializer: 'glorotUniform',
};

const sentence = [4, 9, 2, 17, 11, 5, 23];

function padded(length: number, side: 'pre' | 'post'): number[] {
  const row = new Array<number>(length).fill(0);
  const offset = side === 'pre' ? length - sentence.length : 0;
  sentence.forEach((id, i) => {
    row[offset + i] = id;
  });
  return row;
}

function probabilities(model: tf.LayersModel, rows: number[][]): number[] {
  return tf.tidy(() => {
    const ids = tf.tensor2d(rows, [rows.length, rows[0]!.length], 'int32');
    return Array.from((model.predict(ids) as tf.Tensor).dataSync());
  });
}

beforeAll(async () => {
  await initBackend({ backend: 'wasm', log: () => {} });
});

/** One optimizer step on binary cross-entropy in training mode; returns the loss before it. */
function adamStepLoss(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  x: tf.Tensor,
  y: tf.Tensor,
): number {
  const loss = optimizer.minimize(() => {
    const p = model.apply(x, { training: true }) as tf.Tensor;
    return tf.mean(tf.metrics.binaryCrossentropy(y, p)) as tf.Scalar;
  }, true)!;
  const value = loss.dataSync()[0]!;
  loss.dispose();
  return value;
}

describe('createModel', () => {
  const cases: [Arch, Head][] = [
    ['lstm', 'last'],
    ['lstm', 'pool'],
    ['bilstm', 'last'],
    ['bilstm', 'pool'],
  ];
  it.each(cases)(
    '%s/%s: padding (50 or 128, pre or post) does not change the prediction',
    (arch, head) => {
      const model = createModel({ ...base, arch, head });
      const [unpadded] = probabilities(model, [sentence]);
      const results = [50, 128].flatMap((length) =>
        (['pre', 'post'] as const).map((side) => probabilities(model, [padded(length, side)])[0]!),
      );
      expect(results).toHaveLength(4);
      for (const p of results) expect(Math.abs(p - unpadded!)).toBeLessThan(1e-5);
      // Not a constant model: another sentence moves the (untrained, near 0.5) probability.
      expect(Math.abs(probabilities(model, [[3, 3, 8]])[0]! - unpadded!)).toBeGreaterThan(1e-5);
      model.dispose();
    },
  );

  it('gives the pool head a stable registered class name and a softmax for K > 2', () => {
    const model = createModel({ ...base, head: 'pool', numClasses: 4, layers: 1 });
    expect(model.getLayer('pool').getClassName()).toBe('MaskedAvgMaxPooling');
    expect(model.outputs[0]!.shape).toEqual([null, 4]);
    const p = probabilities(model, [padded(12, 'post'), new Array<number>(12).fill(0)]);
    expect(p).toHaveLength(8);
    expect(p.slice(0, 4).reduce((a, b) => a + b)).toBeCloseTo(1, 5);
    // An empty (all padding) row pools to zeros: a finite, uniform-ish answer, never NaN.
    expect(p.slice(4).every(Number.isFinite)).toBe(true);
    model.dispose();
  });

  it('same seed gives the same weights, another seed others; BiLSTM directions differ', () => {
    const weights = (config: ModelConfig) => {
      const model = createModel(config);
      const values = model.getWeights().map((w) => Array.from(w.dataSync()));
      model.dispose();
      return values;
    };
    const config = { ...base, arch: 'bilstm' as const, layers: 1 };
    const a = weights(config);
    expect(weights(config)).toEqual(a);
    expect(weights({ ...config, seed: 8 })).not.toEqual(a);
    // [embedding, fwd kernel, fwd recurrent, fwd bias, bwd kernel, bwd recurrent, bwd bias, ...]
    expect(a[4]).not.toEqual(a[1]);
    expect(a[5]).not.toEqual(a[2]);
  });

  it('orthogonal recurrent kernels, silently, and cheap initializers in the saved topology', () => {
    const warn = vi.spyOn(console, 'warn');
    const model = createModel({
      ...base,
      arch: 'bilstm',
      layers: 1,
      hiddenSize: 32,
      recurrentInitializer: 'orthogonal',
    });
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
    // [embedding, fwd kernel, fwd recurrent, fwd bias, bwd kernel, bwd recurrent, ...]
    const weights = model.getWeights();
    for (const index of [2, 5]) {
      const gram = tf.tidy(() => {
        const r = weights[index]!; // [h, 4h] with orthonormal rows
        return Array.from(
          tf
            .sub(tf.matMul(r, r, false, true), tf.eye(32))
            .abs()
            .max()
            .dataSync(),
        );
      });
      expect(gram[0]).toBeLessThan(1e-4);
    }
    const topology = JSON.stringify(model.toJSON(null, false));
    expect(topology).toContain('"recurrent_initializer":{"class_name":"VarianceScaling"');
    expect(topology).not.toContain('Orthogonal');
    model.dispose();
  });

  it.each(['lstm', 'bilstm'] as const)('%s parameter count matches the LSTM formula', (arch) => {
    const config: ModelConfig = { ...base, arch, layers: 2, head: 'pool', numClasses: 3 };
    const model = createModel(config);
    const { vocabSize: v, embeddingDim: e, hiddenSize: h } = config;
    const directions = arch === 'bilstm' ? 2 : 1;
    const features = h * directions; // concat
    const lstm = directions * (lstmParameterCount(e, h) + lstmParameterCount(features, h));
    const dense = 2 * features * 3 + 3; // pool doubles the features
    expect(model.countParams()).toBe(v * e + lstm + dense);
    expect(lstmParameterCount(50, 100)).toBe(4 * (100 * 150 + 100));
    model.dispose();
  });

  it.each([
    ['lstm', 'last'],
    ['lstm', 'pool'],
    ['bilstm', 'last'],
    ['bilstm', 'pool'],
  ] as const)(
    "kernel 'fused', %s, %s head: stock topology and weights, the stock model's predictions and losses",
    (arch, head) => {
      const config = { ...base, arch, head, dropout: 0 };
      const stock = createModel({ ...config, kernel: 'tfjs' });
      const fused = createModel(config); // 'fused' is the default
      expect(fused.toJSON(null, false)).toEqual(stock.toJSON(null, false));
      const rows = [padded(12, 'pre'), padded(12, 'post'), [0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 8, 1]];
      const x = tf.tensor2d(rows, [3, 12], 'int32');
      const y = tf.tensor2d([1, 0, 1], [3, 1]);
      const losses = [stock, fused].map((model) => {
        const optimizer = tf.train.adam(0.05);
        const values = [0, 1, 2].map(() => adamStepLoss(model, optimizer, x, y));
        optimizer.dispose();
        return [...values, ...probabilities(model, rows)];
      });
      for (let i = 0; i < losses[0]!.length; i++) {
        expect(Math.abs(losses[1]![i]! - losses[0]![i]!)).toBeLessThan(1e-5);
      }
      expect(losses[0]![0]).toBeGreaterThan(losses[0]![2]!);
      tf.dispose([x, y]);
      stock.dispose();
      fused.dispose();
    },
  );

  it('trains on wasm: Adam steps on a BiLSTM lower the loss and leak no tensors', () => {
    const model = createModel({ ...base, arch: 'bilstm', head: 'pool', dropout: 0 });
    const optimizer = tf.train.adam(0.05);
    const x = tf.tensor2d([padded(10, 'pre'), [0, 0, 0, 0, 0, 0, 0, 3, 8, 1]], [2, 10], 'int32');
    const y = tf.tensor2d([1, 0], [2, 1]);
    const step = () => adamStepLoss(model, optimizer, x, y);
    const first = step(); // creates Adam's moment variables once
    const tensors = tf.memory().numTensors;
    step();
    const third = step();
    expect(third).toBeLessThan(first);
    expect(tf.memory().numTensors).toBe(tensors);
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  });
});
