// Run in a child node by fused/wasm-simd.test.ts (which sets the V8 flags and LSTMKIT_WASM_SIMD):
// one LSTM layer's forward and backward through the wasm kernel, on one thread and on two kernel
// threads. Prints one JSON line: the build chosen (wasmSimd) and every result.
import { startKernelThreads } from '../fused/kernel-threads';
import {
  type LstmShape,
  lstmBackward,
  lstmForward,
  useKernelThreads,
  wasmSimd,
} from '../fused/lstm-kernel';

// Batch 9: two 4-row blocks and one of a single row (gemm4 and gemm1); D and H not multiples of 8.
const shape: LstmShape = {
  batch: 9,
  steps: 12,
  features: 30,
  units: 27,
  backwards: false,
  inputOrder: false,
};
const { batch, steps, features, units } = shape;

let state = 12345;
/** Uniform in [-scale, scale), from a fixed LCG: the same inputs in every child. */
const uniform = (n: number, scale: number) =>
  Float32Array.from({ length: n }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state / 2 ** 32 - 0.5) * 2 * scale;
  });
const x = uniform(batch * steps * features, 1);
const weights = {
  kernel: uniform(features * 4 * units, 0.3),
  recurrentKernel: uniform(units * 4 * units, 0.3),
  bias: uniform(4 * units, 0.5),
};
const dOutput = uniform(batch * steps * units, 1);
// Left padding of a different length per row, as the trainer's batches.
const mask = Float32Array.from({ length: batch * steps }, (_, i) => (i % steps >= i % 5 ? 1 : 0));

function layer() {
  const { output, tape } = lstmForward(x, weights, mask, shape, true, true);
  const grads = lstmBackward(tape, weights, dOutput, true);
  return Object.fromEntries(
    Object.entries({ output, ...grads }).map(([name, values]) => [name, Array.from(values)]),
  );
}

const oneThread = layer();
const threads = await startKernelThreads(2);
useKernelThreads(threads);
const twoThreads = layer();
await threads.stop();
process.stdout.write(`${JSON.stringify({ simd: wasmSimd(), oneThread, twoThreads })}\n`);
