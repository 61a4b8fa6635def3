/**
 * The fused LSTM kernel of @lstmkit/model, natively: each function takes the kernel's memory
 * (an ArrayBuffer) and then the arguments of the WebAssembly kernel's function of the same name
 * (byte offsets into that memory, sizes). @lstmkit/model calls it; applications do not.
 */
type KernelFunction = (memory: ArrayBuffer, ...args: number[]) => number;
export declare const forward: KernelFunction;
export declare const backward: KernelFunction;
export declare const weightGradsColumns: KernelFunction;
export declare const tanhArray: KernelFunction;
export declare const sumSquares: KernelFunction;
export declare const adam: KernelFunction;
export declare const copySteps: KernelFunction;
export declare const gatherEmbeddings: KernelFunction;
export declare const scatterEmbeddings: KernelFunction;
export declare const dropoutMask: KernelFunction;
export declare const multiply: KernelFunction;
export declare const transpose: KernelFunction;
export declare const poolForward: KernelFunction;
export declare const poolBackward: KernelFunction;
/** fn (0 forward, 1 backward, 2 weightGradsColumns) over 0..total in chunks, on every thread. */
export declare function run(
  fn: number,
  memory: ArrayBuffer,
  total: number,
  chunk: number,
  ...args: number[]
): void;
/** Worker threads beside the calling one: count - 1. Returns the count in use. */
export declare function setThreads(count: number): number;
/** The instruction set chosen at load: 'avx2' (AVX2 + FMA) or 'generic' (x86-64 baseline). */
export declare const isa: string;
