import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', log: () => {} });
});

const table = (rows: number, width: number) =>
  Array.from({ length: rows }, (_, r) => Array.from({ length: width }, (_, c) => r * 10 + c));

describe('GatherV2 on wasm', () => {
  it('copies whole rows for a 2-d table, ids of any shape, repeats included', () => {
    const before = tf.memory().numTensors;
    const values = table(7, 5);
    const ids = [
      [3, 0, 6],
      [3, 3, 1],
    ];
    const out = tf.tidy(() =>
      tf.gather(tf.tensor2d(values), tf.tensor2d(ids, [2, 3], 'int32')).arraySync(),
    );
    expect(out).toEqual(ids.map((row) => row.map((id) => values[id])));
    const ints = tf.tidy(() =>
      tf.gather(tf.tensor2d(values, [7, 5], 'int32'), tf.tensor1d([6, 2], 'int32')).arraySync(),
    );
    expect(ints).toEqual([values[6], values[2]]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('leaves other gathers and out-of-range ids to the backend kernel', () => {
    const values = table(4, 3);
    const columns = tf.tidy(() =>
      tf.gather(tf.tensor2d(values), tf.tensor1d([2, 0], 'int32'), 1).arraySync(),
    );
    expect(columns).toEqual(values.map((row) => [row[2], row[0]]));
    const cube = tf.tidy(() =>
      tf.gather(tf.tensor3d([values, values]), tf.tensor1d([1], 'int32')).arraySync(),
    );
    expect(cube).toEqual([values]);
    const flags = tf.tidy(() =>
      tf.gather(tf.tensor2d([1, 0, 0, 1], [2, 2], 'bool'), tf.tensor1d([1], 'int32')).arraySync(),
    );
    expect(flags).toEqual([[0, 1]]);
    expect(() => tf.tidy(() => tf.gather(tf.tensor2d(values), tf.tensor1d([4], 'int32')))).toThrow(
      'GatherV2: the index value 4 is not in [0, 3]',
    );
  });
});
