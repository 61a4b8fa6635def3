import { createRng } from '@lstmkit/preprocess';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { testKernels } from '../__fixtures__/kernels';
import { maxRelativeDiff, randomTensor } from '../__fixtures__/tensor-compare';
import { initBackend } from '../backend';
import { MaskedAvgMaxPooling } from '../masked-pooling';
import type { MergeMode } from '../model-config';
import { FusedBidirectional } from './fused-bidirectional';
import { FusedLSTM } from './fused-lstm-layer';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', threads: 2, log: () => {} });
});

const B = 7;
const T = 6;
const D = 5;
const H = 11; // not a multiple of 8, and B not of 4: exercises the kernel's padding

/** Pre-padded, post-padded, unpadded, all padding, one token at either end, and a hole. */
const MASK = [
  [0, 0, 1, 1, 1, 1],
  [1, 1, 1, 0, 0, 0],
  [1, 1, 1, 1, 1, 1],
  [0, 0, 0, 0, 0, 0],
  [0, 0, 0, 0, 0, 1],
  [1, 0, 0, 0, 0, 0],
  [1, 1, 0, 1, 1, 0],
];

/** A stock Bidirectional(LSTM) and a FusedBidirectional with the same random weights. */
function pair(
  sequences: boolean,
  mergeMode: MergeMode,
  inputSize: number,
  rng: () => number,
  activation: 'tanh' | 'relu' = 'tanh',
) {
  const make = () => ({
    mergeMode,
    layer: tf.layers.lstm({
      units: H,
      activation,
      recurrentActivation: 'sigmoid',
      returnSequences: sequences,
    }),
  });
  const stock = tf.layers.bidirectional(make());
  const fused = new FusedBidirectional(make());
  tf.tidy(() => {
    const x = tf.zeros([1, 1, inputSize]);
    stock.apply(x);
    fused.apply(x);
    // Random values everywhere: the two directions must not share weights, or a swap would pass.
    const weights = stock.getWeights().map((w) => randomTensor(w.shape, rng, 0.6));
    stock.setWeights(weights);
    fused.setWeights(weights);
  });
  return { stock, fused };
}

describe('FusedBidirectional', () => {
  it('runs FusedLSTM layers, the backward one with goBackwards, and serializes as stock', () => {
    const args = () => ({ layer: tf.layers.lstm({ units: 3, name: 'lstm_q' }), name: 'bi_q' });
    const fused = new FusedBidirectional(args());
    const inner = fused as unknown as { forwardLayer: FusedLSTM; backwardLayer: FusedLSTM };
    expect(inner.forwardLayer).toBeInstanceOf(FusedLSTM);
    expect(inner.backwardLayer).toBeInstanceOf(FusedLSTM);
    expect(inner.backwardLayer.getConfig().goBackwards).toBe(true);
    expect(inner.backwardLayer.name).toBe('backward_lstm_q');
    expect(fused.getClassName()).toBe('Bidirectional');
    expect(fused.getConfig()).toEqual(tf.layers.bidirectional(args()).getConfig());
  });
});

describe.each(testKernels)('the %s kernel', (kernel) => {
  // Two kernel threads whatever the machine: the equality tests run the threaded path.
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', kernel, threads: 2, log: () => {} });
  });

  describe.each([
    ...(['concat', 'sum', 'ave', 'mul'] as const).flatMap((mergeMode) =>
      (['last', 'pool'] as const).flatMap((head) =>
        [1, 2].map((layers) => ({ mergeMode, head, layers, activation: 'tanh' as const })),
      ),
    ),
    // relu cells do not fuse: the stock layers run inside the fused wrapper.
    { mergeMode: 'concat' as const, head: 'pool' as const, layers: 2, activation: 'relu' as const },
  ])(
    'FusedBidirectional vs stock Bidirectional(LSTM): $mergeMode, $head head, $layers layer(s), $activation cells',
    ({ mergeMode, head, layers, activation }) => {
      it('gives the same outputs and gradients on pre- and post-padded rows', () => {
        const rng = createRng(layers * 31 + head.length * 7 + mergeMode.length);
        const merged = mergeMode === 'concat' ? 2 * H : H;
        const stack = Array.from({ length: layers }, (_, i) =>
          pair(i < layers - 1 || head === 'pool', mergeMode, i === 0 ? D : merged, rng, activation),
        );
        const pool = new MaskedAvgMaxPooling();
        const before = tf.memory().numTensors;
        tf.tidy(() => {
          const x = randomTensor([B, T, D], rng, 2);
          const mask = tf.tensor2d(MASK.flat(), [B, T], 'bool');
          const weight = randomTensor([B, head === 'pool' ? 2 * merged : merged], rng);
          const run = (kind: 'stock' | 'fused', input: tf.Tensor) => {
            let y = input;
            for (const layer of stack) y = layer[kind].apply(y, { mask }) as tf.Tensor;
            return head === 'pool' ? pool.call(y, { mask }) : y;
          };
          const check = (kind: 'stock' | 'fused') => {
            const variables = stack.flatMap((l) => l[kind].trainableWeights.map((w) => w.read()));
            const f = (input: tf.Tensor, ...weights: tf.Tensor[]) => {
              void weights;
              return tf.sum(tf.mul(run(kind, input), weight));
            };
            return { y: run(kind, x), grads: tf.grads(f)([x, ...variables]) };
          };
          const stock = check('stock');
          const fused = check('fused');
          expect(maxRelativeDiff(fused.y, stock.y)).toBeLessThan(1e-5);
          expect(fused.grads).toHaveLength(1 + 6 * layers);
          for (let i = 0; i < stock.grads.length; i++) {
            expect(maxRelativeDiff(fused.grads[i]!, stock.grads[i]!)).toBeLessThan(1e-4);
          }
          // Sanity: the outputs are not trivial (the all-padding row aside).
          expect(tf.max(tf.abs(stock.y)).dataSync()[0]).toBeGreaterThan(0.05);
        });
        expect(tf.memory().numTensors).toBe(before);
      });
    },
  );
});
