import type * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../model-config';
import { call, type KernelExports, packGates, parallel, roundUp, unpackGates } from './lstm-kernel';

/** One LSTM direction's weights: float offsets of its packed blocks within an area. */
export interface Cell {
  /** W [D, 4H] | bias [4H] | U [H, 4H], back to back (the kernel's packed layout). */
  w: number;
  d: number;
  h: number;
  D: number;
  H: number;
}

/** One model weight: where it lives in an area and how it converts from tfjs's layout. */
export interface Slot {
  variable: tf.Variable;
  offset: number;
  pack(data: Float32Array, heap: Float32Array, to: number): void;
  unpack(heap: Float32Array, from: number): Float32Array;
}

/** Where the forward pass finds its weights and puts its results. */
export interface ForwardPass {
  kernel: KernelExports;
  heap: Float32Array;
  /** Float offsets of the buffers of `forwardSizes`. */
  at: Record<string, number>;
  /** Where the weights' area starts in the heap (floats; slot offsets are relative to it). */
  base: number;
  /** [size, columns] token ids, row-major; 0 = padding (range-checked by the caller). */
  ids: Int32Array;
  size: number;
  columns: number;
  /** Keep the gate activations and every cell state for BPTT. */
  tape: boolean;
  /**
   * The embedding table, when it is not in the heap's area (inference copies only the LSTM and
   * dense weights into kernel memory and gathers the rows it needs from here).
   */
  table?: Float32Array;
  /** Applies dropout to layer l's outputs y (n floats at float offset y), training only. */
  dropout?: (l: number, y: number, n: number) => void;
}

/**
 * A `createModel` model in the fused kernel's packed layout: where each weight goes within one
 * area of floats (the embedding table first, its rows padded to E floats; then each LSTM
 * direction's packed blocks; then the dense layer), and the forward pass over kernel memory that
 * training (`FusedTrainer`) and inference (`FusedPredictor`) share.
 */
export class FusedNetwork {
  /** Whether a model of `config` runs here (else the tfjs layers). */
  static fits(config: ModelConfig): boolean {
    return (
      (config.kernel ?? 'fused') === 'fused' &&
      (config.arch === 'lstm' || config.mergeMode === 'concat')
    );
  }

  readonly directions: number;
  readonly embedding: { vocab: number; e: number; E: number; variable: tf.Variable };
  readonly layers: Cell[][] = [];
  readonly dense: { kernel: number; bias: number; features: number; units: number };
  readonly slots: Slot[] = [];
  /** Floats of the area, a multiple of 16. */
  readonly area: number;
  readonly pool: boolean;
  /** Features of every LSTM layer's output (directions x units). */
  readonly features: number;

  constructor(
    readonly model: tf.LayersModel,
    readonly config: ModelConfig,
  ) {
    if (!FusedNetwork.fits(config)) {
      throw new Error('FusedNetwork: this model configuration runs on the tfjs layers');
    }
    this.directions = config.arch === 'bilstm' ? 2 : 1;
    this.pool = config.head === 'pool';
    this.features = this.directions * config.hiddenSize;
    let offset = 0;
    const take = (floats: number) => {
      const at = offset;
      offset += roundUp(floats, 8);
      return at;
    };
    const variables = (name: string) =>
      model.getLayer(name).weights.map((w) => w.read() as tf.Variable);

    const [table] = variables('embedding');
    const [vocab, e] = table!.shape as [number, number];
    const E = roundUp(e, 8);
    this.embedding = { vocab, e, E, variable: table! };
    const tableAt = take(vocab * E);
    this.slots.push({
      variable: table!,
      offset: tableAt,
      pack: (data, heap, to) => {
        for (let r = 0; r < vocab; r++) heap.set(data.subarray(r * e, (r + 1) * e), to + r * E);
      },
      unpack: (heap, from) => {
        const out = new Float32Array(vocab * e);
        for (let r = 0; r < vocab; r++)
          out.set(heap.subarray(from + r * E, from + r * E + e), r * e);
        return out;
      },
    });

    const h = config.hiddenSize;
    const H = roundUp(h, 8);
    let d = e;
    for (let i = 1; i <= config.layers; i++) {
      const weights = variables(this.directions === 2 ? `bilstm_${i}` : `lstm_${i}`);
      const cells: Cell[] = [];
      for (let k = 0; k < this.directions; k++) {
        const D = roundUp(d, 8);
        const w = take((D + 1 + H) * 4 * H);
        cells.push({ w, d, h, D, H });
        // tfjs's order per direction: kernel [d, 4h], recurrent kernel [h, 4h], bias [4h].
        const [kernel, recurrent, bias] = weights.slice(3 * k, 3 * k + 3);
        const gates = (variable: tf.Variable, rows: number, at: number): Slot => ({
          variable,
          offset: at,
          pack: (data, heap, to) => packGates(data, rows, h, H, heap, to),
          unpack: (heap, from) => unpackGates(heap, from, rows, h, H),
        });
        this.slots.push(
          gates(kernel!, d, w),
          gates(recurrent!, h, w + (D + 1) * 4 * H),
          gates(bias!, 1, w + D * 4 * H),
        );
      }
      this.layers.push(cells);
      d = this.directions * h;
    }

    const [kernel, bias] = variables('output');
    const [features, units] = kernel!.shape as [number, number];
    const plain = (variable: tf.Variable, at: number): Slot => ({
      variable,
      offset: at,
      pack: (data, heap, to) => heap.set(data, to),
      unpack: (heap, from) => heap.slice(from, from + variable.size),
    });
    this.dense = { kernel: take(features * units), bias: take(units), features, units };
    this.slots.push(plain(kernel!, this.dense.kernel), plain(bias!, this.dense.bias));
    this.area = roundUp(offset, 16);
  }

  /** Throws when one of the first `count` ids is outside the vocabulary (before any work). */
  checkIds(ids: Int32Array, count: number): void {
    const { vocab } = this.embedding;
    for (let i = 0; i < count; i++) {
      const id = ids[i]!;
      if (id < 0 || id >= vocab) {
        throw new RangeError(`token id ${id} is outside the vocabulary (0..${vocab - 1})`);
      }
    }
  }

  /** Packs the model's current weights into `heap`, the area starting at `base`. */
  pack(heap: Float32Array, base: number, slots: readonly Slot[] = this.slots): void {
    for (const slot of slots) {
      slot.pack(slot.variable.dataSync() as Float32Array, heap, base + slot.offset);
    }
  }

  /**
   * Whether layer l passes every step's output on (else only its final state reaches the head).
   */
  sequencesOf(l: number): boolean {
    return l < this.layers.length - 1 || this.pool;
  }

  /** Floats of the forward pass's buffers for `size` rows of `columns` steps. */
  forwardSizes(size: number, columns: number, tape: boolean): Record<string, number> {
    const T = columns;
    const Bp = roundUp(size, 4);
    const H = roundUp(this.config.hiddenSize, 8);
    const sizes: Record<string, number> = {
      ids: size * T,
      mask: T * Bp,
      maskRev: T * Bp,
      pooled: size * this.dense.features,
    };
    this.layers.forEach((cells, l) => {
      sizes[`y${l}`] = T * Bp * this.features;
      cells.forEach(({ D }, k) => {
        const p = `${l}.${k}.`;
        sizes[`${p}x`] = T * Bp * D;
        // Without a tape the kernel reuses one step of gates and two of cell state.
        sizes[`${p}acts`] = (tape ? T : 1) * Bp * 4 * H;
        sizes[`${p}cs`] = (tape ? T + 1 : 2) * Bp * H;
        sizes[`${p}hs`] = (T + 1) * Bp * H;
      });
    });
    return sizes;
  }

  /**
   * The forward buffers the pass writes before it reads them (no zeroing needed): y's rows of the
   * batch (the rest is never read), the kernel's gates, and the states after the first step.
   */
  static readonly forwardOverwritten = /^(ids|y\d+)$|\.(acts|cs|hs)$/;

  /**
   * Embeds the ids, runs every LSTM layer and direction and the head: `pooled` [size, features]
   * holds the last step of every direction, or the masked average | max over the real steps.
   */
  forward(pass: ForwardPass): void {
    const { kernel, heap, at, base, ids, size, columns: T } = pass;
    const Bp = roundUp(size, 4);
    const F = this.features;
    const h = this.config.hiddenSize;
    const H = roundUp(h, 8);
    const G = 4 * H;
    const { e, E } = this.embedding;
    const L = this.layers.length;
    new Int32Array(heap.buffer, at.ids! * 4, size * T).set(ids.subarray(0, size * T));
    // Masks in processing order: [t, row] (input order) and reversed in time (backward LSTMs).
    for (let b = 0; b < size; b++) {
      for (let t = 0; t < T; t++) {
        const m = ids[b * T + t] !== 0 ? 1 : 0;
        heap[at.mask! + t * Bp + b] = m;
        heap[at.maskRev! + (T - 1 - t) * Bp + b] = m;
      }
    }
    for (let l = 0; l < L; l++) {
      this.layers[l]!.forEach((cell, k) => {
        const p = `${l}.${k}.`;
        const x = at[`${p}x`]!;
        const hs = at[`${p}hs`]!;
        const backwards = k === 1;
        // The initial state (the kernel writes every later step).
        heap.fill(0, hs, hs + Bp * H);
        heap.fill(0, at[`${p}cs`]!, at[`${p}cs`]! + Bp * H);
        // The layer's input, time-reversed for the backward direction.
        if (l > 0) {
          copySteps(kernel, size, T, cell.d, [at[`y${l - 1}`]!, F], [x, cell.D], {
            reverse: backwards,
          });
        } else if (pass.table !== undefined) {
          const { table } = pass;
          for (let t = 0; t < T; t++) {
            const source = backwards ? T - 1 - t : t;
            for (let b = 0; b < size; b++) {
              const row = ids[b * T + source]! * e;
              heap.set(table.subarray(row, row + e), x + (t * Bp + b) * cell.D);
            }
          }
        } else {
          call(kernel, 'gatherEmbeddings', {
            ...{ T, B: size, Bp, ids: at.ids! * 4, table: (base + this.slots[0]!.offset) * 4 },
            ...{ E, e, dst: x * 4, D: cell.D, reverse: backwards ? 1 : 0 },
          });
        }
        const w = (base + cell.w) * 4;
        parallel(
          'forward',
          {
            ...{ T, B: Bp, D: cell.D, H, x: x * 4, w, bias: w + cell.D * G * 4 },
            ...{ u: w + (cell.D + 1) * G * 4, acts: at[`${p}acts`]! * 4, cs: at[`${p}cs`]! * 4 },
            ...{
              hs: hs * 4,
              mask: (backwards ? at.maskRev! : at.mask!) * 4,
              tape: pass.tape ? 1 : 0,
            },
          },
          Bp,
          4,
        );
        // Outputs (hs after the initial state) in input order, this direction's features of y.
        if (this.sequencesOf(l)) {
          copySteps(kernel, size, T, h, [hs + Bp * H, H], [at[`y${l}`]! + k * h, F], {
            reverse: backwards,
          });
        }
      });
      if (l < L - 1) pass.dropout?.(l, at[`y${l}`]!, T * Bp * F);
    }

    const pooled = at.pooled!;
    const headFeatures = this.dense.features;
    if (this.pool) {
      call(kernel, 'poolForward', {
        ...{ T, B: size, Bp, F, y: at[`y${L - 1}`]! * 4, mask: at.mask! * 4 },
        pooled: pooled * 4,
      });
    } else {
      this.layers[L - 1]!.forEach((_, k) => {
        const hs = at[`${L - 1}.${k}.hs`]!;
        copySteps(kernel, size, 1, h, [hs + T * Bp * H, H], [pooled + k * h, headFeatures]);
      });
    }
  }

  /** The dense layer's logits of the feature row at float offset `row` (in f64). */
  logits(heap: Float32Array, base: number, row: number, out: Float64Array): void {
    const { features, units } = this.dense;
    const K = base + this.dense.kernel;
    for (let j = 0; j < units; j++) {
      let z = heap[base + this.dense.bias + j]!;
      for (let f = 0; f < features; f++) z += heap[row + f]! * heap[K + f * units + j]!;
      out[j] = z;
    }
  }
}

/**
 * The kernel's copySteps with float offsets: n floats of rows b < size of `steps` steps, from
 * [src, its row stride] to [dst, its row stride], time-reversed and/or added when asked.
 */
export function copySteps(
  kernel: KernelExports,
  size: number,
  steps: number,
  n: number,
  [src, srcStride]: [number, number],
  [dst, dstStride]: [number, number],
  { reverse = false, accumulate = false } = {},
): void {
  call(kernel, 'copySteps', {
    ...{ T: steps, B: size, Bp: roundUp(size, 4), n, src: src * 4, srcStride },
    ...{ dst: dst * 4, dstStride, reverse: reverse ? 1 : 0, accumulate: accumulate ? 1 : 0 },
  });
}
