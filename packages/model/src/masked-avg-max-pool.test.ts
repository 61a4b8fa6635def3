import { createRng } from '@lstmkit/preprocess';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend';
import { maskedAvgMaxPool } from './masked-avg-max-pool';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', log: () => {} });
});

/** The same pooling from tfjs ops (the layer's previous implementation): the oracle. */
function reference(x: tf.Tensor3D, mask: tf.Tensor2D | null): tf.Tensor {
  if (mask === null) return tf.concat([tf.mean(x, 1), tf.max(x, 1)], -1);
  const m = tf.expandDims(tf.cast(mask, 'float32'), -1);
  const count = tf.sum(m, 1);
  const average = tf.div(tf.sum(tf.mul(x, m), 1), tf.maximum(count, 1));
  const shifted = tf.add(x, tf.mul(tf.sub(m, 1), 1e9));
  return tf.concat([average, tf.mul(tf.max(shifted, 1), tf.minimum(count, 1))], -1);
}

const MASK = [
  [0, 0, 1, 1, 1],
  [1, 1, 1, 0, 0],
  [0, 0, 0, 0, 0],
  [1, 1, 1, 1, 1],
  [1, 0, 1, 0, 1],
];

describe('maskedAvgMaxPool', () => {
  it.each([
    ['masked', true],
    ['unmasked', false],
  ])('%s: the values and gradients of the tfjs-op formula, ties included', (_, masked) => {
    const rng = createRng(masked ? 1 : 2);
    const [batch, steps, features] = [5, 5, 6];
    const values = Array.from({ length: batch * steps * features }, () => rng() * 2 - 1);
    // A tie for the max in row 3, feature 0 (steps 1 and 4): both get its gradient.
    values[(3 * steps + 1) * features] = 2;
    values[(3 * steps + 4) * features] = 2;
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const x = tf.tensor3d(values, [batch, steps, features]);
      const mask = masked ? tf.tensor2d(MASK.flat(), [batch, steps], 'bool') : null;
      const weight = tf.tensor2d(
        Array.from({ length: batch * 2 * features }, () => rng() * 2 - 1),
        [batch, 2 * features],
      );
      const check = (pool: (input: tf.Tensor3D) => tf.Tensor) => {
        const f = (input: tf.Tensor) => tf.sum(tf.mul(pool(input as tf.Tensor3D), weight));
        return { y: pool(x).arraySync() as number[][], dx: tf.grad(f)(x).arraySync() };
      };
      const fused = check((input) => maskedAvgMaxPool(input, mask?.dataSync() ?? null));
      const expected = check((input) => reference(input, mask as tf.Tensor2D | null));
      fused.y.flat().forEach((v, i) => {
        expect(v).toBeCloseTo(expected.y.flat()[i]!, 6);
      });
      (fused.dx as number[][][]).flat(2).forEach((v, i) => {
        expect(v).toBeCloseTo((expected.dx as number[][][]).flat(2)[i]!, 6);
      });
      if (masked) expect(fused.y[2]!.every((v) => v === 0)).toBe(true);
      expect(fused.y[3]![features]).toBe(2);
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});
