import * as tf from '@tensorflow/tfjs';

/**
 * Concatenated average and max over time of x [batch, steps, features], real steps only (mask
 * [batch, steps], nonzero = real, or null: all real); a row with no real step pools to zeros.
 * One op each way, in plain loops: built from tfjs ops it took ~35 kernels per training step,
 * and the max's gradient (a broadcasting Equal) alone cost ~4 ms on wasm at batch 32.
 * The max's gradient goes to every real step that attains it, as tfjs's Max gradient does.
 */
export function maskedAvgMaxPool(x: tf.Tensor3D, mask: ArrayLike<number> | null): tf.Tensor2D {
  const [batch, steps, features] = x.shape;
  const real = (b: number, t: number) => mask === null || mask[b * steps + t] !== 0;
  const op = tf.customGrad((input) => {
    const data = (input as tf.Tensor).dataSync();
    const counts = Array.from({ length: batch }, (_, b) => {
      let count = 0;
      for (let t = 0; t < steps; t++) if (real(b, t)) count++;
      return count;
    });
    const pooled = new Float32Array(batch * 2 * features);
    for (let b = 0; b < batch; b++) {
      if (counts[b] === 0) continue;
      const row = b * 2 * features;
      for (let f = 0; f < features; f++) {
        let sum = 0;
        let max = -Infinity;
        for (let t = 0; t < steps; t++) {
          if (!real(b, t)) continue;
          const v = data[(b * steps + t) * features + f]!;
          sum += v;
          if (v > max) max = v;
        }
        pooled[row + f] = sum / counts[b]!;
        pooled[row + features + f] = max;
      }
    }
    const gradFunc = (dy: tf.Tensor | tf.Tensor[]) => {
      const dyData = (Array.isArray(dy) ? dy[0]! : dy).dataSync();
      const dx = new Float32Array(batch * steps * features);
      for (let b = 0; b < batch; b++) {
        if (counts[b] === 0) continue;
        const row = b * 2 * features;
        for (let f = 0; f < features; f++) {
          const dAvg = dyData[row + f]! / counts[b]!;
          const max = pooled[row + features + f]!;
          for (let t = 0; t < steps; t++) {
            if (!real(b, t)) continue;
            const i = (b * steps + t) * features + f;
            dx[i] = dAvg + (data[i] === max ? dyData[row + features + f]! : 0);
          }
        }
      }
      return tf.tensor3d(dx, [batch, steps, features]);
    };
    return { value: tf.tensor2d(pooled, [batch, 2 * features]), gradFunc };
  });
  return op(x) as tf.Tensor2D;
}
