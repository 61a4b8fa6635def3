import * as tf from '@tensorflow/tfjs';
import { lstmBackward, lstmForward, type PackedLstmWeights, packLstmWeights } from './lstm-kernel';

/**
 * Inference packs a layer's weights once per weight value: keyed by the kernel's tfjs data
 * (a variable's `assign` gives it new data, so an update misses), checked against the other two.
 * Reading the weights out of tfjs and packing them was ~20% of a one-sentence predict.
 */
const packedCache = new WeakMap<object, { others: object[]; weights: PackedLstmWeights }>();

function packedWeights(kernel: tf.Tensor, recurrentKernel: tf.Tensor, bias: tf.Tensor) {
  const id = (t: tf.Tensor) => (t as unknown as { dataId: object }).dataId;
  const others = [id(recurrentKernel), id(bias)];
  const hit = packedCache.get(id(kernel));
  if (hit?.others.every((o, i) => o === others[i])) return hit.weights;
  const weights = packLstmWeights(
    {
      kernel: kernel.dataSync() as Float32Array,
      recurrentKernel: recurrentKernel.dataSync() as Float32Array,
      bias: bias.dataSync() as Float32Array,
    },
    kernel.shape[0]!,
    recurrentKernel.shape[0]!,
  );
  packedCache.set(id(kernel), { others, weights });
  return weights;
}

export interface FusedLstmOptions {
  /** [batch, steps], nonzero = real step, or null. */
  mask: ArrayLike<number> | null;
  /** Every step's output [batch, steps, units], or the last one [batch, units]. */
  sequences: boolean;
  /** tfjs's goBackwards (reversed input, outputs in processing order unless `inputOrder`). */
  backwards: boolean;
  inputOrder: boolean;
}

/**
 * A whole LSTM layer as one op: value from the wasm forward, gradients (inputs, kernel,
 * recurrent kernel, bias) from the wasm BPTT. x: [batch, steps, features]; kernel [D, 4H],
 * recurrentKernel [H, 4H], bias [4H] in tfjs's layout.
 */
export function fusedLstm(
  x: tf.Tensor3D,
  kernel: tf.Tensor2D,
  recurrentKernel: tf.Tensor2D,
  bias: tf.Tensor1D,
  { mask, sequences, backwards, inputOrder }: FusedLstmOptions,
): tf.Tensor {
  const [batch, steps, features] = x.shape;
  const units = recurrentKernel.shape[0];
  const shape = { batch, steps, features, units, backwards, inputOrder };
  const read = (inputs: tf.Tensor[]) => {
    const [xData, k, r, b] = inputs.map((t) => t.dataSync() as Float32Array);
    return { x: xData!, weights: { kernel: k!, recurrentKernel: r!, bias: b! } };
  };
  const toTensor = (output: Float32Array) =>
    sequences ? tf.tensor3d(output, [batch, steps, units]) : tf.tensor2d(output, [batch, units]);
  const inputs = [x, kernel, recurrentKernel, bias];
  // No gradient tape (inference): nothing can ask for gradients, so skip the op and the tape.
  if (tf.engine().state.gradientDepth === 0) {
    const weights = packedWeights(kernel, recurrentKernel, bias);
    const xData = x.dataSync() as Float32Array;
    return toTensor(lstmForward(xData, weights, mask, shape, sequences, false).output);
  }
  const op = tf.customGrad((...args) => {
    const { x: xData, weights } = read(args.slice(0, 4) as tf.Tensor[]);
    const { output, tape } = lstmForward(xData, weights, mask, shape, sequences, true);
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
    return { value: toTensor(output), gradFunc };
  });
  return op(...inputs);
}
