import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';

/**
 * Linear scatter-add for `UnsortedSegmentSum`, the kernel behind the gradient of an embedding
 * lookup. The wasm backend has none, and the stock cpu one loops over every segment (every
 * vocabulary row) for every call, which makes training cost grow with the vocabulary size.
 * Ids outside [0, numSegments) are dropped, as in TensorFlow.
 */
export function segmentSum(
  x: Float32Array | Int32Array,
  segmentIds: Int32Array,
  numSegments: number,
  out: Float32Array | Int32Array,
): void {
  const inner = segmentIds.length === 0 ? 0 : x.length / segmentIds.length;
  out.fill(0);
  for (let i = 0; i < segmentIds.length; i++) {
    const segment = segmentIds[i]!;
    if (segment < 0 || segment >= numSegments) continue;
    const from = i * inner;
    const to = segment * inner;
    for (let j = 0; j < inner; j++) out[to + j]! += x[from + j]!;
  }
}

interface SegmentSumArgs {
  inputs: { x: TensorInfo; segmentIds: TensorInfo };
  attrs: { numSegments: number };
}

function outputShape(x: TensorInfo, segmentIds: TensorInfo, numSegments: number): number[] {
  return [numSegments, ...x.shape.slice(segmentIds.shape.length)];
}

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function ids(values: unknown): Int32Array {
  return values instanceof Int32Array ? values : Int32Array.from(values as ArrayLike<number>);
}

type XValues = Float32Array | Int32Array;

/** Backend surface we rely on: `readSync` exists on both, outputs differ. */
interface CpuBackend {
  readSync(dataId: object): unknown;
  makeTensorInfo(shape: number[], dtype: string, values: XValues): TensorInfo;
}
interface WasmBackend {
  readSync(dataId: object): unknown;
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): XValues;
}

function allocate(dtype: string, length: number): XValues {
  return dtype === 'int32' ? new Int32Array(length) : new Float32Array(length);
}

const cpuKernel = (args: SegmentSumArgs & { backend: CpuBackend }): TensorInfo => {
  const { x, segmentIds } = args.inputs;
  const { numSegments } = args.attrs;
  const shape = outputShape(x, segmentIds, numSegments);
  const out = allocate(x.dtype, size(shape));
  const xs = args.backend.readSync(x.dataId) as XValues;
  segmentSum(xs, ids(args.backend.readSync(segmentIds.dataId)), numSegments, out);
  return args.backend.makeTensorInfo(shape, x.dtype, out);
};

const wasmKernel = (args: SegmentSumArgs & { backend: WasmBackend }): TensorInfo => {
  const { x, segmentIds } = args.inputs;
  const { numSegments } = args.attrs;
  const shape = outputShape(x, segmentIds, numSegments);
  // Read inputs before allocating the output: a heap grow detaches earlier heap views.
  const xs = args.backend.readSync(x.dataId) as XValues;
  const segments = ids(args.backend.readSync(segmentIds.dataId));
  const out = args.backend.makeOutput(shape, x.dtype);
  segmentSum(xs, segments, numSegments, args.backend.typedArrayFromHeap(out));
  return out;
};

export const segmentSumKernels: Record<'cpu' | 'wasm', KernelConfig> = {
  cpu: {
    kernelName: 'UnsortedSegmentSum',
    backendName: 'cpu',
    kernelFunc: cpuKernel as unknown as KernelFunc,
  },
  wasm: {
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: wasmKernel as unknown as KernelFunc,
  },
};
