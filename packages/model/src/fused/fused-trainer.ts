import { createRng } from '@lstmkit/preprocess';
import * as tf from '@tensorflow/tfjs';
import { lossDefaults } from '../config';
import { decisionDefaults } from '../decision';
import type { ModelConfig } from '../model-config';
import type { FusedAdam } from './fused-adam';
import {
  call,
  kernelInUse,
  kernelMemoryReserved,
  layout,
  packGates,
  parallel,
  releaseKernelMemory,
  reserveKernelMemory,
  roundUp,
  unpackGates,
} from './lstm-kernel';

const EPSILON = lossDefaults.probabilityEpsilon;

export interface FusedBatch {
  /** [size, columns] token ids, row-major; 0 = padding. */
  ids: Int32Array;
  size: number;
  columns: number;
  labels: ArrayLike<number>;
  /** Per-example loss weights (Keras' sample_weight), or none. */
  weights?: ArrayLike<number>;
}

export interface FusedStepOptions {
  learningRate: number;
  /** Clip by global norm (<= 0: no clipping). */
  clipNorm: number;
  /** Seeds this step's dropout masks. */
  dropoutSeed: number;
  /** Decoupled weight decay (AdamW), as the trainer's tfjs step. */
  weightDecay?: number;
}

export interface FusedStepResult {
  loss: number;
  correct: number;
  /** Global gradient norm before clipping. */
  gradientNorm: number;
}

/** One LSTM direction's weights: float offsets of its packed blocks within an area. */
interface Cell {
  /** W [D, 4H] | bias [4H] | U [H, 4H], back to back (the kernel's packed layout). */
  w: number;
  d: number;
  h: number;
  D: number;
  H: number;
}

/** One model weight: where it lives in an area and how it converts from tfjs's layout. */
interface Slot {
  variable: tf.Variable;
  offset: number;
  pack(data: Float32Array, heap: Float32Array, to: number): void;
  unpack(heap: Float32Array, from: number): Float32Array;
}

/** The per-layer buffers of one step (float offsets into the kernel's memory). */
interface DirectionBuffers {
  x: number;
  acts: number;
  cs: number;
  hs: number;
  dz: number;
  dx: number;
  dh: number;
  dc: number;
  dOut: number;
  ut: number;
  wt: number;
  xt: number;
  ht: number;
  dzc: number;
}

/**
 * A whole training step of a `createModel` model in the fused kernel: embedding gather, every
 * LSTM layer and direction forward and back, dropout, the pooling or last-step head, the dense
 * output, cross-entropy, clipping by global norm and Adam (AdamW with weight decay). The tfjs
 * step around the fused LSTM op spent most of its time in per-op dispatch, copies in and out of
 * the kernel and repacking the weights at every step; here the weights, their gradients and
 * Adam's moments stay in the kernel's memory, in its packed layout, between steps.
 *
 * The model's variables and the optimizer's state are copied in by `load` and back by `store`:
 * call `store` before anything reads them (validation, a checkpoint, the end of training).
 * Gradients match the tfjs step's within float rounding (tested); dropout masks come from
 * `dropoutSeed`, not from tfjs's random stream.
 */
export class FusedTrainer {
  /**
   * Whether `createModel(config)` trains here now (else the tfjs step): its configuration fits,
   * and no other FusedTrainer holds the kernel (one per thread: a second run training at the
   * same time in this thread takes the tfjs step).
   */
  static supports(config: ModelConfig): boolean {
    return !kernelMemoryReserved() && FusedTrainer.fits(config);
  }

  private static fits(config: ModelConfig): boolean {
    return (
      (config.kernel ?? 'fused') === 'fused' &&
      config.recurrentDropout === 0 &&
      (config.arch === 'lstm' || config.mergeMode === 'concat')
    );
  }

  private readonly directions: number;
  private readonly embedding: { vocab: number; e: number; E: number; variable: tf.Variable };
  private readonly layers: Cell[][] = [];
  private readonly dense: { kernel: number; bias: number; features: number; units: number };
  private readonly slots: Slot[] = [];
  /** Floats per area; the areas are params | grads | m | v, from float 0. */
  private readonly area: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private trainEmbedding = true;
  private iterations = 0;
  private powers: [number, number] = [0, 0];
  private disposed = false;

  constructor(
    private readonly model: tf.LayersModel,
    private readonly config: ModelConfig,
    optimizer: FusedAdam,
  ) {
    if (!FusedTrainer.fits(config)) {
      throw new Error('FusedTrainer: this model configuration trains with the tfjs step');
    }
    ({ beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon } = optimizer.settings);
    this.directions = config.arch === 'bilstm' ? 2 : 1;
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
        const cell = { w, d, h, D, H };
        cells.push(cell);
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
    reserveKernelMemory(this, 4 * this.area);
  }

  /**
   * Copies the model's weights and `optimizer`'s state (moments, iterations, beta powers) in;
   * the embedding trains when its layer is trainable (the optimizer's variables must be the
   * model's trainable ones, in their order, as the tfjs step passes them).
   */
  load(optimizer: FusedAdam): void {
    this.check();
    const { heap } = layout({});
    this.trainEmbedding = this.model.getLayer('embedding').trainable;
    heap.fill(0, 0, 4 * this.area);
    for (const slot of this.slots) {
      slot.pack(slot.variable.dataSync() as Float32Array, heap, slot.offset);
    }
    const state = optimizer.state(this.trainable().map((s) => s.variable));
    this.trainable().forEach((slot, i) => {
      slot.pack(state.m[i]!, heap, 2 * this.area + slot.offset);
      slot.pack(state.v[i]!, heap, 3 * this.area + slot.offset);
    });
    this.iterations = state.iterations;
    this.powers = state.powers;
  }

  /** Copies the weights into the model's variables and the Adam state into `optimizer`. */
  store(optimizer: FusedAdam): void {
    this.check();
    const { heap } = layout({});
    const values = this.slots.map((slot) => slot.unpack(heap, slot.offset));
    const trainable = this.trainable();
    const m = trainable.map((slot) => slot.unpack(heap, 2 * this.area + slot.offset));
    const v = trainable.map((slot) => slot.unpack(heap, 3 * this.area + slot.offset));
    this.slots.forEach((slot, i) => {
      tf.tidy(() => slot.variable.assign(tf.tensor(values[i]!, slot.variable.shape)));
    });
    optimizer.setState(
      trainable.map((s) => s.variable),
      { iterations: this.iterations, powers: this.powers, m, v },
    );
  }

  /** Releases the kernel memory this trainer holds. */
  dispose(): void {
    releaseKernelMemory(this);
    this.disposed = true;
  }

  step(batch: FusedBatch, options: FusedStepOptions): FusedStepResult {
    this.check();
    const { size, columns: T } = batch;
    const Bp = roundUp(size, 4);
    const dirs = this.directions;
    const h = this.config.hiddenSize;
    const H = roundUp(h, 8);
    const G = 4 * H;
    const pool = this.config.head === 'pool';
    const rate = this.config.dropout;
    const L = this.layers.length;
    const { vocab, e, E } = this.embedding;
    const ids = batch.ids;
    for (let i = 0; i < size * T; i++) {
      const id = ids[i]!;
      if (id < 0 || id >= vocab) {
        throw new RangeError(`token id ${id} is outside the vocabulary (0..${vocab - 1})`);
      }
    }
    // Whether layer l passes every step's output on (else only its final state reaches the head).
    const sequencesOf = (l: number) => l < L - 1 || pool;

    const F = dirs * h;
    const headFeatures = this.dense.features;
    const units = this.dense.units;
    const sizes: Record<string, number> = {
      ids: size * T,
      mask: T * Bp,
      maskRev: T * Bp,
      pooled: size * headFeatures,
      feat: size * headFeatures,
      featKeep: size * headFeatures,
      dFeat: size * headFeatures,
      dLogits: size * units,
    };
    for (let l = 0; l < L; l++) {
      sizes[`y${l}`] = T * Bp * F;
      sizes[`dy${l}`] = T * Bp * F;
      if (l < L - 1) sizes[`keep${l}`] = T * Bp * F;
      for (let k = 0; k < dirs; k++) {
        const { D } = this.layers[l]![k]!;
        const p = `${l}.${k}.`;
        Object.assign(sizes, {
          [`${p}x`]: T * Bp * D,
          [`${p}acts`]: T * Bp * G,
          [`${p}cs`]: (T + 1) * Bp * H,
          [`${p}hs`]: (T + 1) * Bp * H,
          [`${p}dz`]: T * Bp * G,
          [`${p}dx`]: T * Bp * D,
          [`${p}dh`]: Bp * H,
          [`${p}dc`]: Bp * H,
          [`${p}dOut`]: sequencesOf(l) ? T * Bp * H : 0,
          [`${p}ut`]: G * H,
          [`${p}wt`]: G * D,
        });
      }
    }
    // Buffers the step or the kernel writes whole need no zeroing (most of the bytes).
    const overwritten = [
      'ids',
      'feat',
      'featKeep',
      'dLogits',
      ...Object.keys(sizes).filter((name) => /^keep|\.(acts|dz|ut|wt)$/.test(name)),
    ];
    const { at, heap } = layout(sizes, overwritten);
    const buffers = (l: number, k: number): DirectionBuffers => {
      const p = `${l}.${k}.`;
      const names = ['x', 'acts', 'cs', 'hs', 'dz', 'dx', 'dh', 'dc', 'dOut', 'ut', 'wt'];
      return Object.fromEntries(names.map((n) => [n, at[p + n]!])) as unknown as DirectionBuffers;
    };
    const grads = this.area;
    const kernel = kernelInUse();
    new Int32Array(heap.buffer, at.ids! * 4, size * T).set(ids.subarray(0, size * T));
    /** copySteps with float offsets: n floats of rows b < size of every step (`steps` of them). */
    const copy = (
      steps: number,
      n: number,
      [src, srcStride]: [number, number],
      [dst, dstStride]: [number, number],
      { reverse = false, accumulate = false } = {},
    ) =>
      call(kernel, 'copySteps', {
        ...{ T: steps, B: size, Bp, n, src: src * 4, srcStride, dst: dst * 4, dstStride },
        ...{ reverse: reverse ? 1 : 0, accumulate: accumulate ? 1 : 0 },
      });
    const multiply = (a: number, b: number, out: number, n: number) =>
      call(kernel, 'multiply', { a: a * 4, b: b * 4, out: out * 4, n });
    // xorshift32 seeded from dropoutSeed: a mask costs one cheap draw per value.
    let state = Math.floor(createRng(options.dropoutSeed)() * 2 ** 32) >>> 0 || 1;
    const keepScale = rate > 0 ? 1 / (1 - rate) : 1;
    // Draws below rate · 2^32 drop (for integer draws: below its ceiling).
    const threshold = Math.min(Math.ceil(rate * 2 ** 32), 2 ** 32 - 1);
    const dropMask = (to: number, n: number) => {
      const args = { dst: to * 4, n, state, threshold, scale: keepScale };
      state = call(kernel, 'dropoutMask', args) >>> 0;
    };

    // Masks in processing order: [t, row] (input order) and reversed in time (backward LSTMs).
    for (let b = 0; b < size; b++) {
      for (let t = 0; t < T; t++) {
        const m = ids[b * T + t] !== 0 ? 1 : 0;
        heap[at.mask! + t * Bp + b] = m;
        heap[at.maskRev! + (T - 1 - t) * Bp + b] = m;
      }
    }

    // Forward.
    for (let l = 0; l < L; l++) {
      for (let k = 0; k < dirs; k++) {
        const cell = this.layers[l]![k]!;
        const buf = buffers(l, k);
        const backwards = k === 1;
        // The layer's input, time-reversed for the backward direction.
        const reverse = { reverse: backwards };
        if (l === 0) {
          call(kernel, 'gatherEmbeddings', {
            ...{ T, B: size, Bp, ids: at.ids! * 4, table: this.slots[0]!.offset * 4, E, e },
            ...{ dst: buf.x * 4, D: cell.D, reverse: backwards ? 1 : 0 },
          });
        } else {
          copy(T, cell.d, [at[`y${l - 1}`]!, F], [buf.x, cell.D], reverse);
        }
        const w = cell.w * 4;
        parallel(
          'forward',
          {
            ...{ T, B: Bp, D: cell.D, H, x: buf.x * 4, w, bias: w + cell.D * G * 4 },
            ...{ u: w + (cell.D + 1) * G * 4, acts: buf.acts * 4, cs: buf.cs * 4 },
            ...{ hs: buf.hs * 4, mask: (backwards ? at.maskRev! : at.mask!) * 4, tape: 1 },
          },
          Bp,
          4,
        );
        // Outputs (hs after the initial state) in input order, this direction's features of y.
        copy(T, h, [buf.hs + Bp * H, H], [at[`y${l}`]! + k * h, F], reverse);
      }
      if (l < L - 1 && rate > 0) {
        const y = at[`y${l}`]!;
        const keep = at[`keep${l}`]!;
        dropMask(keep, T * Bp * F);
        multiply(y, keep, y, T * Bp * F);
      }
    }

    // Head: the last step of every direction, or masked average | max over the real steps.
    const yLast = at[`y${L - 1}`]!;
    const pooled = at.pooled!;
    const feat = at.feat!;
    const counts = new Int32Array(size);
    if (pool) {
      for (let b = 0; b < size; b++) {
        for (let t = 0; t < T; t++) counts[b]! += heap[at.mask! + t * Bp + b]!;
        if (counts[b] === 0) continue;
        const row = pooled + b * headFeatures;
        for (let f = 0; f < F; f++) {
          let sum = 0;
          let max = -Infinity;
          for (let t = 0; t < T; t++) {
            if (heap[at.mask! + t * Bp + b] === 0) continue;
            const v = heap[yLast + (t * Bp + b) * F + f]!;
            sum += v;
            if (v > max) max = v;
          }
          heap[row + f] = sum / counts[b]!;
          heap[row + F + f] = max;
        }
      }
    } else {
      for (let k = 0; k < dirs; k++) {
        const { hs } = buffers(L - 1, k);
        copy(1, h, [hs + T * Bp * H, H], [pooled + k * h, headFeatures]);
      }
    }
    const featKeep = at.featKeep!;
    if (rate > 0) {
      dropMask(featKeep, size * headFeatures);
      multiply(pooled, featKeep, feat, size * headFeatures);
    } else {
      heap.copyWithin(feat, pooled, pooled + size * headFeatures);
    }

    // Dense, probabilities, cross-entropy (mean over the batch) and its gradient at the logits.
    const binary = units === 1;
    const K = this.dense.kernel;
    const dLogits = at.dLogits!;
    const logits = new Float64Array(units);
    const probabilities = new Float64Array(units);
    let lossSum = 0;
    let correct = 0;
    for (let b = 0; b < size; b++) {
      const row = feat + b * headFeatures;
      for (let j = 0; j < units; j++) {
        let z = heap[this.dense.bias + j]!;
        for (let f = 0; f < headFeatures; f++) z += heap[row + f]! * heap[K + f * units + j]!;
        logits[j] = z;
      }
      const label = batch.labels[b]!;
      const factor = (batch.weights?.[b] ?? 1) / size;
      if (binary) {
        const p = Math.fround(1 / (1 + Math.exp(-logits[0]!)));
        const clipped = Math.min(Math.max(p, EPSILON), 1 - EPSILON);
        lossSum -= factor * (label === 1 ? Math.log(clipped) : Math.log(1 - clipped));
        const inRange = p >= EPSILON && p <= 1 - EPSILON;
        heap[dLogits + b] = inRange ? factor * (p - label) : 0;
        if ((p >= decisionDefaults.binaryThreshold ? 1 : 0) === label) correct++;
      } else {
        let max = -Infinity;
        for (let j = 0; j < units; j++) max = Math.max(max, logits[j]!);
        let total = 0;
        for (let j = 0; j < units; j++) total += probabilities[j] = Math.exp(logits[j]! - max);
        let best = 0;
        for (let j = 0; j < units; j++) {
          probabilities[j] = Math.fround(probabilities[j]! / total);
          if (probabilities[j]! > probabilities[best]!) best = j;
        }
        if (best === label) correct++;
        const p = probabilities[label]!;
        lossSum -= factor * Math.log(Math.min(Math.max(p, EPSILON), 1 - EPSILON));
        // dL/dp is -factor/p at the label (zero where the clip holds); then the softmax's Jacobian.
        const g = p >= EPSILON && p <= 1 - EPSILON ? -factor / p : 0;
        for (let j = 0; j < units; j++) {
          heap[dLogits + b * units + j] = probabilities[j]! * ((j === label ? g : 0) - p * g);
        }
      }
    }

    // Backward: dense.
    heap.fill(0, grads, 2 * grads);
    const dFeat = at.dFeat!;
    for (let b = 0; b < size; b++) {
      const row = feat + b * headFeatures;
      for (let j = 0; j < units; j++) {
        const dz = heap[dLogits + b * units + j]!;
        heap[grads + this.dense.bias + j]! += dz;
        for (let f = 0; f < headFeatures; f++) {
          heap[grads + K + f * units + j]! += heap[row + f]! * dz;
          heap[dFeat + b * headFeatures + f]! += dz * heap[K + f * units + j]!;
        }
      }
    }
    if (rate > 0) multiply(dFeat, featKeep, dFeat, size * headFeatures);
    // The head's gradient into the last layer's outputs (pool) or final states (last step).
    const dyLast = at[`dy${L - 1}`]!;
    if (pool) {
      for (let b = 0; b < size; b++) {
        if (counts[b] === 0) continue;
        const row = dFeat + b * headFeatures;
        for (let f = 0; f < F; f++) {
          const dAvg = heap[row + f]! / counts[b]!;
          const max = heap[pooled + b * headFeatures + F + f]!;
          const dMax = heap[row + F + f]!;
          for (let t = 0; t < T; t++) {
            if (heap[at.mask! + t * Bp + b] === 0) continue;
            const i = (t * Bp + b) * F + f;
            heap[dyLast + i] = dAvg + (heap[yLast + i] === max ? dMax : 0);
          }
        }
      }
    }
    for (let l = L - 1; l >= 0; l--) {
      const dy = at[`dy${l}`]!;
      for (let k = 0; k < dirs; k++) {
        const cell = this.layers[l]![k]!;
        const buf = buffers(l, k);
        const backwards = k === 1;
        const sequences = sequencesOf(l);
        if (sequences) copy(T, h, [dy + k * h, F], [buf.dOut, H], { reverse: backwards });
        else copy(1, h, [dFeat + k * h, headFeatures], [buf.dh, H]);
        const w = cell.w;
        const transpose = (from: number, rows: number, to: number) =>
          call(kernel, 'transpose', { src: from * 4, rows, cols: G, dst: to * 4 });
        transpose(w + (cell.D + 1) * G, H, buf.ut);
        transpose(w, cell.D, buf.wt);
        const mask = (backwards ? at.maskRev! : at.mask!) * 4;
        parallel(
          'backward',
          {
            ...{ T, B: Bp, D: cell.D, H, acts: buf.acts * 4, cs: buf.cs * 4, mask },
            ...{ ut: buf.ut * 4, wt: buf.wt * 4, dOut: sequences ? buf.dOut * 4 : 0 },
            ...{ dz: buf.dz * 4, dx: buf.dx * 4, dh: buf.dh * 4, dc: buf.dc * 4 },
          },
          Bp,
          4,
        );
        const gw = grads + w;
        parallel(
          'weightGradsColumns',
          {
            ...{ n: T * Bp, D: cell.D, H, x: buf.x * 4, hs: buf.hs * 4, dz: buf.dz * 4 },
            ...{ dw: gw * 4, du: (gw + (cell.D + 1) * G) * 4, db: (gw + cell.D * G) * 4 },
          },
          G,
          32,
        );
      }
      // The input's gradient in input order, both directions summed.
      const below = l > 0 ? at[`dy${l - 1}`]! : -1;
      for (let k = 0; k < dirs; k++) {
        const { d, D } = this.layers[l]![k]!;
        const { dx } = buffers(l, k);
        if (l > 0) {
          copy(T, d, [dx, D], [below, F], { reverse: k === 1, accumulate: true });
        } else if (this.trainEmbedding) {
          call(kernel, 'scatterEmbeddings', {
            ...{ T, B: size, Bp, ids: at.ids! * 4, src: dx * 4, D, e },
            ...{ grads: (grads + this.slots[0]!.offset) * 4, E, reverse: k },
          });
        }
      }
      if (l > 0 && rate > 0) {
        const keep = at[`keep${l - 1}`]!;
        multiply(below, keep, below, T * Bp * F);
      }
    }

    // Clipping by global norm, weight decay, Adam over the trainable part of the areas.
    const from = this.trainEmbedding ? 0 : this.slots[1]!.offset;
    const n = this.area - from;
    const sumSquares = call(kernel, 'sumSquares', { x: (grads + from) * 4, n });
    const norm = Math.sqrt(sumSquares);
    const clip = options.clipNorm;
    const scale = clip > 0 ? Math.fround(clip / Math.max(norm, clip)) : 1;
    const lr = options.learningRate;
    const decay = options.weightDecay ?? 0;
    if (decay > 0) {
      const keep = Math.fround(1 - lr * decay);
      for (let i = from; i < this.area; i++) heap[i]! *= keep;
    }
    const [power1, power2] = this.powers;
    call(kernel, 'adam', {
      ...{ p: from * 4, g: (grads + from) * 4, m: (2 * this.area + from) * 4 },
      ...{ v: (3 * this.area + from) * 4, n, scale, b1: this.beta1, b2: this.beta2, lr },
      ...{ eps: this.epsilon, correction1: Math.fround(1 - power1) },
      correction2: Math.fround(1 - power2),
    });
    this.powers = [
      Math.fround(power1 * Math.fround(this.beta1)),
      Math.fround(power2 * Math.fround(this.beta2)),
    ];
    this.iterations++;
    return { loss: lossSum, correct, gradientNorm: norm };
  }

  /** The slots Adam updates: all, or all but the embedding while it is frozen. */
  private trainable(): Slot[] {
    return this.trainEmbedding ? this.slots : this.slots.slice(1);
  }

  private check(): void {
    if (this.disposed) throw new Error('FusedTrainer: used after dispose()');
  }
}
