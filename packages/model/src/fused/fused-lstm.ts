import * as tf from '@tensorflow/tfjs';
import { lstmBackward, lstmForward } from './lstm-kernel';

/**
 * A whole LSTM layer as one op: value from the wasm forward, gradients (inputs, kernel,
 * recurrent kernel, bias) from the wasm BPTT. x: [batch, steps, features]; kernel [D, 4H],
 * recurrentKernel [H, 4H], bias [4H] in tfjs's layout; mask [batch, steps] or null; backwards:
 * tfjs's goBackwards (reversed input, outputs in processing order).
 */
export function fusedLstm(
  x: tf.Tensor3D,
  kernel: tf.Tensor2D,
  recurrentKernel: tf.Tensor2D,
  bias: tf.Tensor1D,
  mask: ArrayLike<number> | null,
  sequences: boolean,
  backwards: boolean,
): tf.Tensor {
  const [batch, steps, features] = x.shape;
  const units = recurrentKernel.shape[0];
  const shape = { batch, steps, features, units, backwards };
  const op = tf.customGrad((...inputs) => {
    const [xData, kernelData, recurrentData, biasData] = inputs
      .slice(0, 4)
      .map((t) => (t as tf.Tensor).dataSync() as Float32Array);
    const weights = { kernel: kernelData!, recurrentKernel: recurrentData!, bias: biasData! };
    const { output, tape } = lstmForward(xData!, weights, mask, shape, sequences);
    const value = sequences
      ? tf.tensor3d(output, [batch, steps, units])
      : tf.tensor2d(output, [batch, units]);
    const gradFunc = (dy: tf.Tensor | tf.Tensor[]) => {
      const dOut = (Array.isArray(dy) ? dy[0]! : dy).dataSync() as Float32Array;
      const g = lstmBackward(tape, weights, dOut, sequences);
      return [
        tf.tensor3d(g.dx, [batch, steps, features]),
        tf.tensor2d(g.kernel, kernel.shape),
        tf.tensor2d(g.recurrentKernel, recurrentKernel.shape),
        tf.tensor1d(g.bias),
      ];
    };
    return { value, gradFunc };
  });
  return op(x, kernel, recurrentKernel, bias);
}
