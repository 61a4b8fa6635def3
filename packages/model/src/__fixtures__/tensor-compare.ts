import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';

/** A tensor of uniform values in [-scale, scale) from a seeded generator. */
export function randomTensor(shape: number[], rng: () => number, scale = 1): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: size }, () => (rng() * 2 - 1) * scale),
    shape,
  );
}

/** Largest absolute difference relative to the largest magnitude of `expected`. */
export function maxRelativeDiff(actual: tf.Tensor, expected: tf.Tensor): number {
  const x = actual.dataSync();
  const y = expected.dataSync();
  expect(x.length).toBe(y.length);
  let scale = 0;
  for (const v of y) scale = Math.max(scale, Math.abs(v));
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff = Math.max(diff, Math.abs(x[i]! - y[i]!));
  return diff / Math.max(scale, 1e-12);
}
