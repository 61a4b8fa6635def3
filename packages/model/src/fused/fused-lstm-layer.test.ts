import { createRng } from '@lstmkit/preprocess';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { testKernels } from '../__fixtures__/kernels';
import { maxRelativeDiff, randomTensor } from '../__fixtures__/tensor-compare';
import { initBackend } from '../backend';
import { FusedLSTM } from './fused-lstm-layer';
import { kernelTanh } from './lstm-kernel';

const StockLSTM = tf.serialization.SerializationMap.getMap().classNameMap.LSTM![0] as unknown as {
  prototype: { call: (...args: unknown[]) => unknown };
};

beforeAll(async () => {
  await initBackend({ backend: 'wasm', threads: 2, log: () => {} });
});

const B = 6;
const T = 7;
const D = 5;
const H = 11; // not a multiple of 8, and B not of 4: exercises the kernel's padding

/** Rows pre-padded (leading zeros), post-padded, fully masked, unmasked, and a hole. */
function maskRows(): tf.Tensor2D {
  const rows = [
    [0, 0, 0, 1, 1, 1, 1],
    [1, 1, 1, 1, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0],
    [1, 1, 1, 1, 1, 1, 1],
    [0, 1, 1, 0, 1, 1, 1],
    [0, 0, 0, 0, 0, 0, 1],
  ];
  return tf.tensor2d(rows.flat(), [B, T], 'bool') as tf.Tensor2D;
}

function pair(sequences: boolean, inputSize: number, seed: number, goBackwards: boolean) {
  const args = {
    units: H,
    goBackwards,
    recurrentActivation: 'sigmoid' as const,
    returnSequences: sequences,
    kernelInitializer: tf.initializers.glorotUniform({ seed }),
    recurrentInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
    biasInitializer: tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: seed + 2 }),
  };
  const stock = tf.layers.lstm(args);
  const fused = new FusedLSTM(args);
  // Applying builds the weights, which setWeights then makes equal.
  tf.tidy(() => {
    const x = tf.zeros([1, 1, inputSize]);
    stock.apply(x);
    fused.apply(x);
  });
  fused.setWeights(stock.getWeights());
  return { stock, fused };
}

describe.each(testKernels)('the %s kernel', (kernel) => {
  // Two kernel threads whatever the machine: every equality test below runs the threaded path.
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', kernel, threads: 2, log: () => {} });
  });

  describe('kernel tanh', () => {
    it('is within 5e-7 of Math.tanh over [-12, 12]', () => {
      const x = Float32Array.from({ length: 4001 }, (_, i) => -12 + (24 * i) / 4000);
      const y = kernelTanh(x);
      let err = 0;
      for (let i = 0; i < x.length; i++) err = Math.max(err, Math.abs(y[i]! - Math.tanh(x[i]!)));
      expect(err).toBeLessThan(5e-7);
    });
  });

  describe.each([
    { layers: 1, sequences: false, goBackwards: false },
    { layers: 1, sequences: true, goBackwards: false },
    { layers: 2, sequences: false, goBackwards: false },
    { layers: 2, sequences: true, goBackwards: false },
    { layers: 1, sequences: false, goBackwards: true },
    { layers: 2, sequences: true, goBackwards: true },
  ])(
    'FusedLSTM vs stock tfjs LSTM, $layers layer(s), returnSequences $sequences, goBackwards $goBackwards',
    ({ layers, sequences, goBackwards }) => {
      const rng = createRng(7 + layers + (sequences ? 10 : 0) + (goBackwards ? 20 : 0));
      const stack = Array.from({ length: layers }, (_, i) =>
        pair(i < layers - 1 || sequences, i === 0 ? D : H, 100 * i + 1, goBackwards),
      );
      const run = (kind: 'stock' | 'fused', x: tf.Tensor, mask: tf.Tensor) => {
        let y = x;
        for (const layer of stack) y = layer[kind].apply(y, { mask }) as tf.Tensor;
        return y;
      };

      it('gives the same outputs and gradients on masked random inputs', () => {
        const before = tf.memory().numTensors;
        tf.tidy(() => {
          const x = randomTensor([B, T, D], rng, 2);
          const mask = maskRows();
          const weight = randomTensor(sequences ? [B, T, H] : [B, H], rng);
          const variablesOf = (kind: 'stock' | 'fused') =>
            stack.flatMap((l) => l[kind].trainableWeights.map((w) => w.read()));
          const check = (kind: 'stock' | 'fused') => {
            const f = (input: tf.Tensor, ...weights: tf.Tensor[]) => {
              void weights;
              return tf.sum(tf.mul(run(kind, input, mask), weight));
            };
            const grads = tf.grads(f)([x, ...variablesOf(kind)]);
            return { y: run(kind, x, mask), grads };
          };
          const stock = check('stock');
          const fused = check('fused');
          expect(maxRelativeDiff(fused.y, stock.y)).toBeLessThan(1e-5);
          expect(fused.grads).toHaveLength(1 + 3 * layers);
          for (let i = 0; i < stock.grads.length; i++) {
            expect(maxRelativeDiff(fused.grads[i]!, stock.grads[i]!)).toBeLessThan(1e-4);
          }
          // Masked steps carry the state: the all-padding row outputs exactly 0.
          const y = fused.y.arraySync() as number[][] | number[][][];
          expect((y[2]!.flat() as number[]).every((v) => v === 0)).toBe(true);
        });
        expect(tf.memory().numTensors).toBe(before);
      });
    },
  );

  describe('FusedLSTM weight gradients over many real rows', () => {
    it('match stock when the kernel sums them in several slices (312 real rows, 128 a slice)', () => {
      const rng = createRng(5);
      const [batch, steps] = [23, 15];
      // Row b has its first b % 4 steps padded: 345 steps, 312 of them real.
      const maskValues = Array.from({ length: batch * steps }, (_, i): number =>
        i % steps >= Math.floor(i / steps) % 4 ? 1 : 0,
      );
      expect(maskValues.reduce((a, b) => a + b, 0)).toBe(312);
      const { stock, fused } = pair(false, D, 9, false);
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const x = randomTensor([batch, steps, D], rng, 2);
        const mask = tf.tensor2d(maskValues, [batch, steps], 'bool');
        const weight = randomTensor([batch, H], rng);
        const grads = (layer: tf.layers.Layer) =>
          tf.grads((...weights: tf.Tensor[]) => {
            void weights;
            return tf.sum(tf.mul(layer.apply(x, { mask }) as tf.Tensor, weight));
          })(layer.trainableWeights.map((w) => w.read()));
        const expected = grads(stock);
        grads(fused).forEach((g, i) => {
          expect(maxRelativeDiff(g, expected[i]!)).toBeLessThan(1e-4);
        });
      });
      expect(tf.memory().numTensors).toBe(before);
    });
  });

  describe('FusedLSTM on 1, 2 and 3 kernel threads', () => {
    it('gives identical outputs and gradients (rows and weight-gradient columns are split)', async () => {
      const rng = createRng(13);
      const [batch, steps] = [23, 9];
      // Rows pre-padded by b % 5 steps, and row 7 post-padded: both paddings, uneven blocks.
      const maskValues = Array.from({ length: batch * steps }, (_, i) => {
        const [b, t] = [Math.floor(i / steps), i % steps];
        return (b === 7 ? t < 4 : t >= b % 5) ? 1 : 0;
      });
      const x = randomTensor([batch, steps, D], rng, 2);
      const mask = tf.tensor2d(maskValues, [batch, steps], 'bool');
      const weight = randomTensor([batch, H], rng);
      const stack = [pair(true, D, 21, false).fused, pair(false, H, 31, true).fused];
      const run = () =>
        tf.tidy(() => {
          const variables = stack.flatMap((l) => l.trainableWeights.map((w) => w.read()));
          const f = (input: tf.Tensor, ...weights: tf.Tensor[]) => {
            void weights;
            let y = input;
            for (const layer of stack) y = layer.apply(y, { mask }) as tf.Tensor;
            return tf.sum(tf.mul(y, weight));
          };
          const { value, grads } = tf.valueAndGrads(f)([x, ...variables]);
          return [value, ...grads].map((t) => Array.from(t.dataSync()));
        });
      const results = [];
      for (const threads of [1, 2, 3]) {
        const info = await initBackend({ backend: 'wasm', kernel, threads, log: () => {} });
        expect(info.kernelThreads).toBe(threads);
        expect(info.kernel).toBe(kernel);
        results.push(run());
      }
      await initBackend({ backend: 'wasm', kernel, threads: 2, log: () => {} });
      expect(results[1]).toEqual(results[0]);
      expect(results[2]).toEqual(results[0]);
      tf.dispose([x, mask, weight]);
    });
  });
});

describe('FusedLSTM with dropout', () => {
  it('fuses inference (dropout inactive) and falls back to stock when training', () => {
    const rng = createRng(11);
    const args = {
      units: H,
      recurrentActivation: 'sigmoid' as const,
      returnSequences: true,
      dropout: 0.3,
      recurrentDropout: 0.4,
      kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }),
      recurrentInitializer: tf.initializers.glorotUniform({ seed: 4 }),
    };
    const stock = tf.layers.lstm(args);
    const fused = new FusedLSTM(args);
    const x = randomTensor([B, T, D], rng, 2);
    const mask = maskRows();
    const expected = stock.apply(x, { mask }) as tf.Tensor;
    tf.dispose(fused.apply(x, { mask }) as tf.Tensor);
    fused.setWeights(stock.getWeights());
    const calls = vi.spyOn(StockLSTM.prototype, 'call');
    const before = tf.memory().numTensors;
    const inference = fused.apply(x, { mask }) as tf.Tensor;
    expect(calls).not.toHaveBeenCalled();
    expect(maxRelativeDiff(inference, expected)).toBeLessThan(1e-5);
    inference.dispose();
    expect(tf.memory().numTensors).toBe(before);
    // Training draws dropout masks (tfjs keeps them on the cell): the stock implementation runs.
    const training = fused.apply(x, { mask, training: true }) as tf.Tensor;
    expect(calls).toHaveBeenCalledTimes(1);
    expect(maxRelativeDiff(training, expected)).toBeGreaterThan(1e-3);
    calls.mockRestore();
    tf.dispose([x, mask, expected, training]);
  });
});

describe('FusedLSTM serialization', () => {
  it('saves as a stock LSTM with the same config', () => {
    const args = { units: 3, recurrentActivation: 'sigmoid' as const, name: 'lstm_x' };
    const fused = new FusedLSTM(args);
    expect(fused.getClassName()).toBe('LSTM');
    expect(fused.getConfig()).toEqual(tf.layers.lstm(args).getConfig());
  });
});
