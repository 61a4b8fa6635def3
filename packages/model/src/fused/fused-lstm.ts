import * as tf from '@tensorflow/tfjs';
import { lstmBackward, lstmForward } from './lstm-kernel';

/**
 * One op for a whole LSTM recurrence: value from the wasm forward, gradient from the wasm BPTT.
 * z: [B, T, 4H] pre-activations (x·W + b), u: recurrent kernel [H, 4H], mask [B, T] or null.
 */
export function fusedLstm(
  z: tf.Tensor3D,
  u: tf.Tensor2D,
  mask: ArrayLike<number> | null,
  sequences: boolean,
): tf.Tensor {
  const [batch, steps, gates] = z.shape;
  const shape = { batch, steps, units: gates / 4 };
  const H = shape.units;
  const op = tf.customGrad((zIn, uIn) => {
    const uData = (uIn as tf.Tensor).dataSync() as Float32Array;
    const { output, tape } = lstmForward(
      (zIn as tf.Tensor).dataSync() as Float32Array,
      uData,
      mask,
      shape,
      sequences,
    );
    const value = sequences
      ? tf.tensor3d(output, [batch, steps, H])
      : tf.tensor2d(output, [batch, H]);
    const gradFunc = (dy: tf.Tensor | tf.Tensor[]) => {
      const dOut = (Array.isArray(dy) ? dy[0]! : dy).dataSync() as Float32Array;
      const { dz, hPrev } = lstmBackward(tape, uData, dOut, sequences);
      const dzTensor = tf.tensor3d(dz, [batch, steps, gates]);
      const du = tf.tidy(() =>
        tf.matMul(
          tf.tensor2d(hPrev, [batch * steps, H]),
          dzTensor.reshape([batch * steps, gates]),
          true,
          false,
        ),
      );
      return [dzTensor, du];
    };
    return { value, gradFunc };
  });
  return op(z, u);
}
