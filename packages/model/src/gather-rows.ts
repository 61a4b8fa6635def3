import * as tf from '@tensorflow/tfjs';

type TensorInfo = tf.TensorInfo;

interface WasmBackend {
  readSync(dataId: object): unknown;
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array;
}

interface GatherArgs {
  inputs: { x: TensorInfo; indices: TensorInfo };
  attrs: { axis: number; batchDims: number };
  backend: WasmBackend;
}

type Kernel = (args: GatherArgs) => TensorInfo;

let stock: tf.KernelConfig | undefined;

/**
 * GatherV2 of whole rows of a matrix (the embedding lookup) as row copies: the wasm backend's
 * element-wise strided gather took ~0.7 ms for 448 ids into a [3000, 64] table, the largest
 * tfjs kernel of a BiLSTM training step. Other gathers, and ids out of range (so that its
 * error is the usual one), go to the backend's own kernel.
 */
const gatherRows: Kernel = (args) => {
  const { x, indices } = args.inputs;
  const { axis, batchDims } = args.attrs;
  const ids = args.backend.readSync(indices.dataId) as Int32Array;
  const [rows, width] = x.shape;
  const simple =
    x.shape.length === 2 &&
    axis === 0 &&
    batchDims === 0 &&
    (x.dtype === 'float32' || x.dtype === 'int32');
  if (!simple || ids.some((id) => id < 0 || id >= rows!)) {
    return (stock!.kernelFunc as unknown as Kernel)(args);
  }
  const out = args.backend.makeOutput([...indices.shape, width!], x.dtype);
  // Heap views only after allocating the output: growing the heap detaches earlier views.
  const from = args.backend.typedArrayFromHeap(x);
  const to = args.backend.typedArrayFromHeap(out);
  for (let i = 0; i < ids.length; i++) {
    const row = ids[i]! * width!;
    to.set(from.subarray(row, row + width!), i * width!);
  }
  return out;
};

/**
 * Our GatherV2 for wasm, keeping the backend's own one (and its setup, which the backend runs
 * when it initialises) as the fallback.
 */
export function wasmGatherKernel(): tf.KernelConfig {
  const current = tf.getKernel('GatherV2', 'wasm');
  if (current !== undefined && current.kernelFunc !== (gatherRows as unknown)) stock = current;
  return {
    kernelName: 'GatherV2',
    backendName: 'wasm',
    kernelFunc: gatherRows as unknown as tf.KernelFunc,
    ...(stock?.setupFunc && { setupFunc: stock.setupFunc }),
  };
}
