import { lstmWasmBase64 } from './lstm-wasm';

/**
 * The fused LSTM recurrence in WebAssembly (assembly/lstm.ts): the whole sequence in one call,
 * forward keeping the gate activations, then BPTT. Inputs are the per-step pre-activations
 * z = x·W + b (tfjs computes those, and their gradients, with one matmul each); this module
 * owns only the sequential part. Layout conversion to the kernel's padded time-major buffers
 * happens here.
 */

interface Exports {
  memory: WebAssembly.Memory;
  forward(
    T: number,
    B: number,
    H: number,
    acts: number,
    cs: number,
    hs: number,
    mask: number,
    u: number,
  ): void;
  backward(
    T: number,
    B: number,
    H: number,
    acts: number,
    cs: number,
    mask: number,
    ut: number,
    dOut: number,
    dz: number,
    dh: number,
    dc: number,
  ): void;
  tanhArray(src: number, dst: number, n: number): void;
}

let instance: Exports | undefined;

function wasm(): Exports {
  if (instance === undefined) {
    const bytes = Uint8Array.from(atob(lstmWasmBase64), (c) => c.charCodeAt(0));
    // Synchronous: tfjs layers call synchronously. The module is ~5 kB, under browsers'
    // main-thread limit for synchronous compilation.
    const module = new WebAssembly.Module(bytes);
    instance = new WebAssembly.Instance(module, {}).exports as unknown as Exports;
  }
  return instance;
}

/** Bump-allocates float regions (byte offsets) and grows the memory to fit. */
function layout(sizes: Record<string, number>): {
  offsets: Record<string, number>;
  heap: Float32Array;
} {
  const { memory } = wasm();
  const offsets: Record<string, number> = {};
  let end = 0;
  for (const [name, floats] of Object.entries(sizes)) {
    offsets[name] = end;
    end += Math.ceil(floats / 4) * 16;
  }
  const missing = end - memory.buffer.byteLength;
  if (missing > 0) memory.grow(Math.ceil(missing / 65536));
  const heap = new Float32Array(memory.buffer, 0, end / 4);
  heap.fill(0);
  return { offsets, heap };
}

const roundUp = (n: number, m: number) => Math.ceil(n / m) * m;

export interface LstmShape {
  batch: number;
  steps: number;
  units: number;
}

/** What the forward pass keeps for BPTT (copies: the wasm memory is reused by every call). */
export interface LstmTape {
  shape: LstmShape;
  acts: Float32Array;
  cs: Float32Array;
  hs: Float32Array;
  mask: Float32Array;
}

/**
 * z: [B, T, 4H] pre-activations; u: recurrent kernel [H, 4H]; mask: [B, T] (1 real, 0 masked)
 * or null. Returns the outputs [B, T, H] (or the last, [B, H]) and the tape for `lstmBackward`.
 */
export function lstmForward(
  z: Float32Array,
  u: Float32Array,
  mask: ArrayLike<number> | null,
  shape: LstmShape,
  sequences: boolean,
): { output: Float32Array; tape: LstmTape } {
  const { batch: B, steps: T, units: H } = shape;
  const Bp = roundUp(B, 4);
  const Hp = roundUp(H, 8);
  const { offsets: o, heap } = layout({
    u: Hp * 4 * Hp,
    acts: T * Bp * 4 * Hp,
    cs: (T + 1) * Bp * Hp,
    hs: (T + 1) * Bp * Hp,
    mask: T * Bp,
  });
  const f = (name: string) => o[name]! / 4;
  for (let k = 0; k < H; k++) {
    for (let g = 0; g < 4; g++) {
      heap.set(
        u.subarray(k * 4 * H + g * H, k * 4 * H + (g + 1) * H),
        f('u') + k * 4 * Hp + g * Hp,
      );
    }
  }
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const src = (b * T + t) * 4 * H;
      const dst = f('acts') + (t * Bp + b) * 4 * Hp;
      for (let g = 0; g < 4; g++)
        heap.set(z.subarray(src + g * H, src + (g + 1) * H), dst + g * Hp);
      heap[f('mask') + t * Bp + b] = mask === null || mask[b * T + t] ? 1 : 0;
    }
  }
  wasm().forward(T, Bp, Hp, o.acts!, o.cs!, o.hs!, o.mask!, o.u!);
  const output = new Float32Array(sequences ? B * T * H : B * H);
  for (let b = 0; b < B; b++) {
    if (sequences) {
      for (let t = 0; t < T; t++) {
        const src = f('hs') + ((t + 1) * Bp + b) * Hp;
        output.set(heap.subarray(src, src + H), (b * T + t) * H);
      }
    } else {
      const src = f('hs') + (T * Bp + b) * Hp;
      output.set(heap.subarray(src, src + H), b * H);
    }
  }
  const copy = (name: string, floats: number) => heap.slice(f(name), f(name) + floats);
  const tape = {
    shape,
    acts: copy('acts', T * Bp * 4 * Hp),
    cs: copy('cs', (T + 1) * Bp * Hp),
    hs: copy('hs', T * Bp * Hp),
    mask: copy('mask', T * Bp),
  };
  return { output, tape };
}

/**
 * dOutput: gradient of the forward's output ([B, T, H] or [B, H]). Returns dz [B, T, 4H] and
 * hPrev [B, T, H] (h before each step), so that dU = hPrevᵀ·dz is one matmul for the caller.
 */
export function lstmBackward(
  tape: LstmTape,
  u: Float32Array,
  dOutput: Float32Array,
  sequences: boolean,
): { dz: Float32Array; hPrev: Float32Array } {
  const { batch: B, steps: T, units: H } = tape.shape;
  const Bp = roundUp(B, 4);
  const Hp = roundUp(H, 8);
  const { offsets: o, heap } = layout({
    ut: 4 * Hp * Hp,
    acts: T * Bp * 4 * Hp,
    cs: (T + 1) * Bp * Hp,
    mask: T * Bp,
    dOut: sequences ? T * Bp * Hp : 0,
    dz: T * Bp * 4 * Hp,
    dh: Bp * Hp,
    dc: Bp * Hp,
  });
  const f = (name: string) => o[name]! / 4;
  for (let k = 0; k < H; k++) {
    for (let j = 0; j < 4 * H; j++) {
      heap[f('ut') + (Math.floor(j / H) * Hp + (j % H)) * Hp + k] = u[k * 4 * H + j]!;
    }
  }
  heap.set(tape.acts, f('acts'));
  heap.set(tape.cs, f('cs'));
  heap.set(tape.mask, f('mask'));
  for (let b = 0; b < B; b++) {
    if (sequences) {
      for (let t = 0; t < T; t++) {
        const src = (b * T + t) * H;
        heap.set(dOutput.subarray(src, src + H), f('dOut') + (t * Bp + b) * Hp);
      }
    } else {
      heap.set(dOutput.subarray(b * H, (b + 1) * H), f('dh') + b * Hp);
    }
  }
  wasm().backward(
    T,
    Bp,
    Hp,
    o.acts!,
    o.cs!,
    o.mask!,
    o.ut!,
    sequences ? o.dOut! : 0,
    o.dz!,
    o.dh!,
    o.dc!,
  );
  const dz = new Float32Array(B * T * 4 * H);
  const hPrev = new Float32Array(B * T * H);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const src = f('dz') + (t * Bp + b) * 4 * Hp;
      const dst = (b * T + t) * 4 * H;
      for (let g = 0; g < 4; g++)
        dz.set(heap.subarray(src + g * Hp, src + g * Hp + H), dst + g * H);
      const h = (t * Bp + b) * Hp;
      hPrev.set(tape.hs.subarray(h, h + H), (b * T + t) * H);
    }
  }
  return { dz, hPrev };
}

/** The kernel's tanh approximation, exposed for its accuracy test. */
export function wasmTanh(x: Float32Array): Float32Array {
  const n = Math.ceil(x.length / 4) * 4;
  const { offsets, heap } = layout({ src: n, dst: n });
  heap.set(x, offsets.src! / 4);
  wasm().tanhArray(offsets.src!, offsets.dst!, n);
  return heap.slice(offsets.dst! / 4, offsets.dst! / 4 + x.length);
}
