import { lstmWasmBase64 } from './lstm-wasm';
import { lstmWasmRelaxedBase64 } from './lstm-wasm-relaxed';

/**
 * The fused LSTM in WebAssembly (assembly/lstm.ts): a whole layer in one call, forward keeping
 * the gate activations, then BPTT and the weight gradients. Every matmul runs in the kernel:
 * tfjs-wasm's own matMul is far slower on these shapes. This module converts between tfjs
 * layouts ([batch, time, ...], gates i|f|c|o in blocks of H) and the kernel's padded time-major
 * buffers (batch rows to a multiple of 4, D and H to multiples of 8, zeros in the padding).
 */

/**
 * The kernel's exports and their parameters, in the order of assembly/lstm.ts: dimensions
 * (T steps, B rows, D features, H units, all padded), byte offsets into the memory, and for
 * the functions threads share, the range last (rows r0..r1, columns c0..c1). Calls name every
 * argument (`call(kernel, 'copySteps', { T, B, ... })`); the order lives only here, and every
 * instance is checked against it (`checkedKernel`).
 */
const signatures = {
  forward: [
    'T',
    'B',
    'D',
    'H',
    'x',
    'w',
    'bias',
    'u',
    'acts',
    'cs',
    'hs',
    'mask',
    'tape',
    'r0',
    'r1',
  ],
  backward: [
    'T',
    'B',
    'D',
    'H',
    'acts',
    'cs',
    'mask',
    'ut',
    'wt',
    'dOut',
    'dz',
    'dx',
    'dh',
    'dc',
    'r0',
    'r1',
  ],
  weightGradsColumns: ['n', 'D', 'H', 'x', 'hs', 'dz', 'dw', 'du', 'db', 'c0', 'c1'],
  tanhArray: ['src', 'dst', 'n'],
  sumSquares: ['x', 'n'],
  adam: ['p', 'g', 'm', 'v', 'settings', 'i0', 'i1'],
  copySteps: ['T', 'B', 'Bp', 'n', 'src', 'srcStride', 'dst', 'dstStride', 'reverse', 'accumulate'],
  gatherEmbeddings: ['T', 'B', 'Bp', 'ids', 'table', 'E', 'e', 'dst', 'D', 'reverse'],
  scatterEmbeddings: ['T', 'B', 'Bp', 'ids', 'src', 'D', 'e', 'grads', 'E', 'reverse'],
  dropoutMask: ['dst', 'n', 'state', 'threshold', 'scale'],
  multiply: ['a', 'b', 'out', 'n'],
  transpose: ['src', 'rows', 'cols', 'dst'],
  poolForward: ['T', 'B', 'Bp', 'F', 'y', 'mask', 'pooled'],
  poolBackward: ['T', 'B', 'Bp', 'F', 'y', 'mask', 'pooled', 'dFeat', 'dy'],
} as const;

export type KernelFunction = keyof typeof signatures;
type KernelArgs<K extends KernelFunction> = Record<(typeof signatures)[K][number], number>;
/** The kernel's memory: a WebAssembly.Memory, or the native kernel's growable ArrayBuffer. */
export type KernelMemory = Pick<WebAssembly.Memory, 'buffer' | 'grow'>;
export type KernelExports = { memory: KernelMemory } & Record<
  KernelFunction,
  (...args: number[]) => number
>;

/** The kernel's functions, in the order of assembly/lstm.ts. */
export const kernelFunctions = Object.keys(signatures) as KernelFunction[];

/** The kernel functions that split their work over threads (the last two arguments: a range). */
export const parallelFunctions = [
  'forward',
  'backward',
  'weightGradsColumns',
  'adam',
] as const satisfies readonly KernelFunction[];
export type ParallelFunction = (typeof parallelFunctions)[number];
type RangeParameter = 'r0' | 'r1' | 'c0' | 'c1' | 'i0' | 'i1';

/** `exports` of an instance of either build, after checking each export's parameter count. */
export function checkedKernel(exports: WebAssembly.Exports): KernelExports {
  const kernel = exports as unknown as KernelExports;
  for (const name of Object.keys(signatures) as KernelFunction[]) {
    if (kernel[name]?.length !== signatures[name].length) {
      throw new Error(
        `lstm-wasm: export ${name} takes ${kernel[name]?.length} arguments, expected ${signatures[name].length}; rebuild it (node scripts/build-wasm.mjs)`,
      );
    }
  }
  return kernel;
}

/** Named arguments in the export's parameter order (`parameters`: all, or all but a range). */
function positional(
  parameters: readonly string[],
  args: Partial<Record<string, number>>,
): number[] {
  return parameters.map((p) => args[p]!);
}

/** Calls `name` on `kernel` with named arguments (ranged functions: their range included). */
export function call<K extends KernelFunction>(
  kernel: KernelExports,
  name: K,
  args: KernelArgs<K>,
): number {
  return kernel[name](...positional(signatures[name], args));
}

/** The `adam` kernel's settings: f32s at `settings` in its memory, in this order. */
export interface AdamSettings {
  /** The gradients' factor (clipping by global norm; 1: none). */
  scale: number;
  beta1: number;
  beta2: number;
  /** 1 - beta1^t and 1 - beta2^t. */
  correction1: number;
  correction2: number;
  learningRate: number;
  epsilon: number;
  /** The weights' factor before the update: 1 - lr · weightDecay (AdamW), 1 for Adam. */
  keep: number;
}

export const ADAM_SETTINGS_FLOATS = 8;

export function writeAdamSettings(heap: Float32Array, at: number, s: AdamSettings): void {
  heap.set(
    [s.scale, s.beta1, s.beta2, s.correction1, s.correction2, s.learningRate, s.epsilon, s.keep],
    at,
  );
}

/**
 * Kernel threads: the wasm kernel's (kernel-threads.ts, Node's worker_threads: one instance of
 * the shared-memory build per thread) or the native kernel's own (native-kernel.ts). `run` calls `fn(...args, from, to)` for every chunk [from, to) of 0..total,
 * spread over the threads (the calling one included), and returns when all are done.
 */
export interface KernelThreads {
  readonly exports: KernelExports;
  readonly count: number;
  run(fn: ParallelFunction, args: readonly number[], total: number, chunk: number): void;
}

let compiled: WebAssembly.Module | undefined;
let instance: KernelExports | undefined;
let threads: KernelThreads | undefined;
let instances: (() => KernelExports) | undefined;

/** A fresh instance of the kernel in use, with its own memory (the optimizer keeps one). */
export function instantiateKernel(): KernelExports {
  return instances?.() ?? instantiateWasmKernel();
}

/** Makes `instantiateKernel` return instances of another kernel (undefined: the wasm one). */
export function useKernelInstances(factory: (() => KernelExports) | undefined): void {
  instances = factory;
}

/** The wasm kernel's builds: plain SIMD, or with relaxed SIMD (the matmuls on fused multiply-adds). */
export type WasmSimd = 'simd' | 'relaxed-simd';

const SIMD_VAR = 'LSTMKIT_WASM_SIMD';

/** A module of one function, f32x4.relaxed_madd of its v128 parameter thrice: valid only where the engine has relaxed SIMD. */
// biome-ignore format: the module's sections, one a line
const RELAXED_SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x06, 0x01, 0x60, 0x01, 0x7b, 0x01, 0x7b, // types: (v128) -> v128
  0x03, 0x02, 0x01, 0x00, // functions: one of type 0
  0x0a, 0x0d, 0x01, 0x0b, 0x00, // code: one body of 11 bytes, no locals
  0x20, 0x00, 0x20, 0x00, 0x20, 0x00, 0xfd, 0x85, 0x02, 0x0b, // local.get 0 x3, f32x4.relaxed_madd, end
]);

let simd: WasmSimd | undefined;

/**
 * The build the wasm kernel uses, single-thread instances and kernel threads alike: relaxed SIMD
 * where the engine validates it (Node 22+, current Chrome; Node 20 with
 * --experimental-wasm-relaxed-simd), else plain SIMD. `LSTMKIT_WASM_SIMD=relaxed|plain` (Node
 * only) forces one, for tests and A/B runs. Chosen once, at the first instance.
 */
export function wasmSimd(): WasmSimd {
  simd ??= chooseWasmSimd();
  return simd;
}

function chooseWasmSimd(): WasmSimd {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
    ?.env;
  const requested = env?.[SIMD_VAR]?.trim() || 'auto';
  const relaxed = WebAssembly.validate(RELAXED_SIMD_PROBE);
  if (requested === 'plain') return 'simd';
  if (requested === 'auto') return relaxed ? 'relaxed-simd' : 'simd';
  if (requested !== 'relaxed') {
    throw new Error(`lstmkit: ${SIMD_VAR}=${requested}: use relaxed or plain (or leave it unset)`);
  }
  if (!relaxed) {
    throw new Error(
      `lstmkit: ${SIMD_VAR}=relaxed, but this WebAssembly engine has no relaxed SIMD (Node 20: run node --experimental-wasm-relaxed-simd)`,
    );
  }
  return 'relaxed-simd';
}

function instantiateWasmKernel(): KernelExports {
  if (compiled === undefined) {
    const base64 = wasmSimd() === 'relaxed-simd' ? lstmWasmRelaxedBase64 : lstmWasmBase64;
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    // Synchronous, as tfjs layers call: the module is ~7 kB, under browsers' main-thread limit.
    compiled = new WebAssembly.Module(bytes);
  }
  return checkedKernel(new WebAssembly.Instance(compiled, {}).exports);
}

/** Runs the LSTM kernel on these threads from now on (undefined: one thread, its own memory). */
export function useKernelThreads(next: KernelThreads | undefined): void {
  threads = next;
}

function wasm(): KernelExports {
  if (threads !== undefined) return threads.exports;
  instance ??= instantiateWasmKernel();
  return instance;
}

/**
 * fn over 0..total in chunks of `chunk` (rows: whole 4-row blocks; columns: multiples of 8),
 * shared out among the kernel threads when there are some and the job has two chunks or more.
 */
export function parallel<K extends ParallelFunction>(
  fn: K,
  named: Omit<KernelArgs<K>, RangeParameter>,
  total: number,
  chunk: number,
): void {
  const args = positional(signatures[fn].slice(0, -2), named);
  if (threads === undefined || threads.count === 1 || total < 2 * chunk) {
    wasm()[fn](...args, 0, total);
    return;
  }
  threads.run(fn, args, total, chunk);
}

/** Floats at the start of the kernel's memory that `layout` leaves alone, and who holds them. */
let reserved: { floats: number; owner: object } | undefined;

/**
 * Keeps the first `floats` floats of the kernel's memory for `owner` (a fused training step's
 * weights and optimizer state, which live there between steps) until it releases them.
 */
export function reserveKernelMemory(owner: object, floats: number): void {
  if (reserved !== undefined && reserved.owner !== owner) {
    throw new Error('the fused kernel memory is held by another training step (dispose it first)');
  }
  reserved = { floats: Math.ceil(floats / 16) * 16, owner };
  layout({});
}

/** Whether a fused training step holds the kernel's memory now. */
export function kernelMemoryReserved(): boolean {
  return reserved !== undefined;
}

export function releaseKernelMemory(owner: object): void {
  if (reserved?.owner === owner) reserved = undefined;
}

/** The kernel in use (its memory, and its functions for direct calls). */
export function kernelInUse(): KernelExports {
  return wasm();
}

/**
 * Lays out float regions (returned as float offsets) after the reserved ones, grows the memory
 * to fit and zeroes them, except those named in `overwritten`: the caller or the kernel writes
 * every float of those. The returned heap covers the reserved floats too.
 */
export function layout<K extends string>(
  sizes: Record<K, number>,
  overwritten: readonly NoInfer<K>[] = [],
): { at: Record<K, number>; heap: Float32Array } {
  const { memory } = wasm();
  const at = {} as Record<K, number>;
  let end = reserved?.floats ?? 0;
  for (const name of Object.keys(sizes) as K[]) {
    at[name] = end;
    end += Math.ceil(sizes[name] / 4) * 4;
  }
  const missing = end * 4 - memory.buffer.byteLength;
  if (missing > 0) memory.grow(Math.ceil(missing / 65536));
  const heap = new Float32Array(memory.buffer, 0, end);
  for (const name of Object.keys(sizes) as K[]) {
    if (!overwritten.includes(name)) heap.fill(0, at[name], at[name] + sizes[name]);
  }
  return { at, heap };
}

export const roundUp = (n: number, m: number) => Math.ceil(n / m) * m;

export interface LstmShape {
  batch: number;
  steps: number;
  features: number;
  units: number;
  /**
   * tfjs's goBackwards: the kernel reads the input (and mask) from the last step to the first;
   * per-step outputs stay in that processing order, as tfjs returns them, unless `inputOrder`.
   */
  backwards: boolean;
  /** Backwards: per-step outputs (and their gradient) in input time order, as Bidirectional merges them. */
  inputOrder: boolean;
}

function padded({ batch, steps, features, units }: LstmShape) {
  return { T: steps, B: roundUp(batch, 4), D: roundUp(features, 8), H: roundUp(units, 8) };
}

/** [rows, 4h] with gate blocks of h -> [rows, 4hp] at `to` in heap (rows padded by the caller). */
export function packGates(
  src: Float32Array,
  rows: number,
  h: number,
  hp: number,
  heap: Float32Array,
  to: number,
) {
  for (let k = 0; k < rows; k++) {
    for (let g = 0; g < 4; g++) {
      const s = k * 4 * h + g * h;
      heap.set(src.subarray(s, s + h), to + k * 4 * hp + g * hp);
    }
  }
}

export function unpackGates(heap: Float32Array, from: number, rows: number, h: number, hp: number) {
  const out = new Float32Array(rows * 4 * h);
  for (let k = 0; k < rows; k++) {
    for (let g = 0; g < 4; g++) {
      const s = from + k * 4 * hp + g * hp;
      out.set(heap.subarray(s, s + h), k * 4 * h + g * h);
    }
  }
  return out;
}

/** [rows, 4h] -> its transpose [4hp, cols] at `to` (gate rows padded to hp). */
function packGatesTransposed(
  src: Float32Array,
  rows: number,
  h: number,
  hp: number,
  cols: number,
  heap: Float32Array,
  to: number,
) {
  for (let g = 0; g < 4; g++) {
    for (let j = 0; j < h; j++) {
      const row = to + (g * hp + j) * cols;
      for (let k = 0, s = g * h + j; k < rows; k++, s += 4 * h) heap[row + k] = src[s]!;
    }
  }
}

/** [batch, steps, n] -> [steps, B, np] at `to`, time reversed when `reverse`. */
function packSequence(
  src: Float32Array,
  s: LstmShape,
  n: number,
  np: number,
  heap: Float32Array,
  to: number,
  reverse: boolean,
) {
  const B = roundUp(s.batch, 4);
  for (let b = 0; b < s.batch; b++) {
    for (let t = 0; t < s.steps; t++) {
      const i = (b * s.steps + (reverse ? s.steps - 1 - t : t)) * n;
      heap.set(src.subarray(i, i + n), to + (t * B + b) * np);
    }
  }
}

/** [steps, B, np] at `from` -> [batch, steps, n], time reversed when `reverse`. */
function unpackSequence(
  heap: Float32Array,
  from: number,
  s: LstmShape,
  n: number,
  np: number,
  reverse: boolean,
) {
  const B = roundUp(s.batch, 4);
  const out = new Float32Array(s.batch * s.steps * n);
  for (let b = 0; b < s.batch; b++) {
    for (let t = 0; t < s.steps; t++) {
      const i = from + ((reverse ? s.steps - 1 - t : t) * B + b) * np;
      out.set(heap.subarray(i, i + n), (b * s.steps + t) * n);
    }
  }
  return out;
}

export interface LstmWeights {
  kernel: Float32Array;
  recurrentKernel: Float32Array;
  bias: Float32Array;
}

/** Weights already in the kernel's padded layout (kernel | bias | recurrent kernel, contiguous). */
export interface PackedLstmWeights {
  packed: Float32Array;
}

/** Kernel [D, 4H], bias [4H] and recurrent kernel [H, 4H], gate-padded, back to back at `to`. */
function packWeights(
  weights: LstmWeights,
  d: number,
  h: number,
  D: number,
  H: number,
  heap: Float32Array,
  to: number,
) {
  packGates(weights.kernel, d, h, H, heap, to);
  packGates(weights.bias, 1, h, H, heap, to + D * 4 * H);
  packGates(weights.recurrentKernel, h, h, H, heap, to + (D + 1) * 4 * H);
}

/** For a layer whose weights serve many forward calls (inference): pack them once. */
export function packLstmWeights(
  weights: LstmWeights,
  features: number,
  units: number,
): PackedLstmWeights {
  const [D, H] = [roundUp(features, 8), roundUp(units, 8)];
  const packed = new Float32Array((D + 1 + H) * 4 * H);
  packWeights(weights, features, units, D, H, packed, 0);
  return { packed };
}

/** What the forward pass keeps for BPTT (copies: every call reuses the wasm memory). */
export interface LstmTape {
  shape: LstmShape;
  x: Float32Array;
  acts: Float32Array;
  cs: Float32Array;
  hs: Float32Array;
  mask: Float32Array;
}

/**
 * x: [batch, steps, features]; mask: [batch, steps] (nonzero = real step) or null. Masked steps
 * carry output and state, as tfjs does (also backwards: tfjs reverses the whole padded row).
 * Returns the outputs [batch, steps, units] (sequences) or the last output [batch, units], and
 * with `keepTape` the tape for `lstmBackward` (copies of megabytes: inference skips them).
 */
export function lstmForward(
  x: Float32Array,
  weights: LstmWeights | PackedLstmWeights,
  mask: ArrayLike<number> | null,
  shape: LstmShape,
  sequences: boolean,
  keepTape: true,
): { output: Float32Array; tape: LstmTape };
export function lstmForward(
  x: Float32Array,
  weights: LstmWeights | PackedLstmWeights,
  mask: ArrayLike<number> | null,
  shape: LstmShape,
  sequences: boolean,
  keepTape: false,
): { output: Float32Array; tape: null };
export function lstmForward(
  x: Float32Array,
  weights: LstmWeights | PackedLstmWeights,
  mask: ArrayLike<number> | null,
  shape: LstmShape,
  sequences: boolean,
  keepTape: boolean,
): { output: Float32Array; tape: LstmTape | null } {
  const { T, B, D, H } = padded(shape);
  const { features: d, units: h } = shape;
  const { at, heap } = layout(
    {
      x: T * B * D,
      w: D * 4 * H,
      bias: 4 * H,
      u: H * 4 * H,
      // Without a tape the kernel reuses one step of gates and two of cell state.
      acts: (keepTape ? T : 1) * B * 4 * H,
      cs: (keepTape ? T + 1 : 2) * B * H,
      hs: (T + 1) * B * H,
      mask: T * B,
    },
    // Packed weights come with their padding zeros.
    'packed' in weights ? ['w', 'bias', 'u'] : [],
  );
  packSequence(x, shape, d, D, heap, at.x, shape.backwards);
  if ('packed' in weights) heap.set(weights.packed, at.w);
  else packWeights(weights, d, h, D, H, heap, at.w);
  for (let b = 0; b < shape.batch; b++) {
    for (let t = 0; t < T; t++) {
      const source = b * T + (shape.backwards ? T - 1 - t : t);
      heap[at.mask + t * B + b] = mask === null || mask[source] ? 1 : 0;
    }
  }
  const bytes = (name: keyof typeof at) => at[name] * 4;
  const named = { x: 0, w: 0, bias: 0, u: 0, acts: 0, cs: 0, hs: 0, mask: 0 };
  for (const name of Object.keys(named) as (keyof typeof named)[]) named[name] = bytes(name);
  parallel('forward', { T, B, D, H, ...named, tape: keepTape ? 1 : 0 }, B, 4);
  const output = sequences
    ? unpackSequence(heap, at.hs + B * H, shape, h, H, shape.backwards && shape.inputOrder)
    : unpackSequence(heap, at.hs + T * B * H, { ...shape, steps: 1 }, h, H, false);
  if (!keepTape) return { output, tape: null };
  const copy = (name: keyof typeof at, floats: number) => heap.slice(at[name], at[name] + floats);
  const tape = {
    shape,
    x: copy('x', T * B * D),
    acts: copy('acts', T * B * 4 * H),
    cs: copy('cs', (T + 1) * B * H),
    hs: copy('hs', T * B * H),
    mask: copy('mask', T * B),
  };
  return { output, tape };
}

/** dOutput: gradient of the forward's output. Returns the gradients of x and the weights. */
export function lstmBackward(
  tape: LstmTape,
  weights: LstmWeights,
  dOutput: Float32Array,
  sequences: boolean,
): { dx: Float32Array } & LstmWeights {
  const { shape } = tape;
  const { T, B, D, H } = padded(shape);
  const { features: d, units: h } = shape;
  const { at, heap } = layout(
    {
      x: T * B * D,
      acts: T * B * 4 * H,
      cs: (T + 1) * B * H,
      hs: T * B * H,
      mask: T * B,
      ut: 4 * H * H,
      wt: 4 * H * D,
      dOut: sequences ? T * B * H : 0,
      dz: T * B * 4 * H,
      dx: T * B * D,
      dh: B * H,
      dc: B * H,
      dw: D * 4 * H,
      du: H * 4 * H,
      db: 4 * H,
    },
    // The tape is copied in whole; backward writes all of dz and dx.
    ['x', 'acts', 'cs', 'hs', 'mask', 'dz', 'dx'],
  );
  heap.set(tape.x, at.x);
  heap.set(tape.acts, at.acts);
  heap.set(tape.cs, at.cs);
  heap.set(tape.hs, at.hs);
  heap.set(tape.mask, at.mask);
  packGatesTransposed(weights.recurrentKernel, h, h, H, H, heap, at.ut);
  packGatesTransposed(weights.kernel, d, h, H, D, heap, at.wt);
  if (sequences) {
    packSequence(dOutput, shape, h, H, heap, at.dOut, shape.backwards && shape.inputOrder);
  } else {
    packSequence(dOutput, { ...shape, steps: 1 }, h, H, heap, at.dh, false);
  }
  const bytes = (name: keyof typeof at) => at[name] * 4;
  const dz = bytes('dz');
  parallel(
    'backward',
    {
      ...{ T, B, D, H, acts: bytes('acts'), cs: bytes('cs'), mask: bytes('mask'), dz },
      ...{ ut: bytes('ut'), wt: bytes('wt'), dOut: sequences ? bytes('dOut') : 0 },
      ...{ dx: bytes('dx'), dh: bytes('dh'), dc: bytes('dc') },
    },
    B,
    4,
  );
  parallel(
    'weightGradsColumns',
    {
      ...{ n: T * B, D, H, x: bytes('x'), hs: bytes('hs'), dz },
      ...{ dw: bytes('dw'), du: bytes('du'), db: bytes('db') },
    },
    4 * H,
    32,
  );
  return {
    dx: unpackSequence(heap, at.dx, shape, d, D, shape.backwards),
    kernel: unpackGates(heap, at.dw, d, h, H),
    recurrentKernel: unpackGates(heap, at.du, h, h, H),
    bias: unpackGates(heap, at.db, 1, h, H),
  };
}

/** The kernel's tanh approximation (the kernel in use), exposed for its accuracy test. */
export function kernelTanh(x: Float32Array): Float32Array {
  const n = Math.ceil(x.length / 4) * 4;
  const { at, heap } = layout({ src: n, dst: n });
  heap.set(x, at.src);
  call(wasm(), 'tanhArray', { src: at.src * 4, dst: at.dst * 4, n });
  return heap.slice(at.dst, at.dst + x.length);
}
