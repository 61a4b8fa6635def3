import { createRng } from '@lstmkit/preprocess';
import * as tf from '@tensorflow/tfjs';
import { lossDefaults } from '../config';
import { decisionDefaults } from '../decision';
import type { ModelConfig } from '../model-config';
import type { FusedAdam } from './fused-adam';
import { copySteps, FusedNetwork, type Slot } from './fused-network';
import {
  ADAM_SETTINGS_FLOATS,
  call,
  kernelInUse,
  kernelMemoryReserved,
  layout,
  parallel,
  releaseKernelMemory,
  reserveKernelMemory,
  roundUp,
  writeAdamSettings,
} from './lstm-kernel';

const EPSILON = lossDefaults.probabilityEpsilon;
/** Floats per thread's share of the Adam update (a multiple of 16). */
const ADAM_CHUNK = 16384;

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
    return FusedNetwork.fits(config) && config.recurrentDropout === 0;
  }

  private readonly network: FusedNetwork;
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
    this.network = new FusedNetwork(model, config);
    this.area = this.network.area;
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
    this.network.pack(heap, 0);
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
    const { slots } = this.network;
    const values = slots.map((slot) => slot.unpack(heap, slot.offset));
    const trainable = this.trainable();
    const m = trainable.map((slot) => slot.unpack(heap, 2 * this.area + slot.offset));
    const v = trainable.map((slot) => slot.unpack(heap, 3 * this.area + slot.offset));
    slots.forEach((slot, i) => {
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
    const { network } = this;
    const { size, columns: T, ids } = batch;
    const Bp = roundUp(size, 4);
    const dirs = network.directions;
    const h = this.config.hiddenSize;
    const H = roundUp(h, 8);
    const G = 4 * H;
    const pool = network.pool;
    const rate = this.config.dropout;
    const L = network.layers.length;
    const { e, E } = network.embedding;
    network.checkIds(ids, size * T);

    const F = network.features;
    const headFeatures = network.dense.features;
    const units = network.dense.units;
    const sizes: Record<string, number> = {
      ...network.forwardSizes(size, T, true),
      feat: size * headFeatures,
      featKeep: size * headFeatures,
      dFeat: size * headFeatures,
      dLogits: size * units,
      adam: ADAM_SETTINGS_FLOATS,
    };
    for (let l = 0; l < L; l++) {
      sizes[`dy${l}`] = network.sequencesOf(l) ? T * Bp * F : 0;
      if (l < L - 1) sizes[`keep${l}`] = T * Bp * F;
      network.layers[l]!.forEach(({ D }, k) => {
        const p = `${l}.${k}.`;
        Object.assign(sizes, {
          [`${p}dz`]: T * Bp * G,
          [`${p}dx`]: T * Bp * D,
          [`${p}dh`]: Bp * H,
          [`${p}dc`]: Bp * H,
          [`${p}dOut`]: network.sequencesOf(l) ? T * Bp * H : 0,
          [`${p}ut`]: G * H,
          [`${p}wt`]: G * D,
        });
      });
    }
    // Buffers the step or the kernel writes whole need no zeroing (most of the bytes).
    const overwritten = Object.keys(sizes).filter(
      (name) =>
        FusedNetwork.forwardOverwritten.test(name) ||
        /^(feat|featKeep|dLogits|adam|keep\d+|dy\d+)$|\.(dz|dx|ut|wt)$/.test(name),
    );
    const { at, heap } = layout(sizes, overwritten);
    const grads = this.area;
    const kernel = kernelInUse();
    const copy = (
      steps: number,
      n: number,
      src: [number, number],
      dst: [number, number],
      options?: { reverse?: boolean; accumulate?: boolean },
    ) => copySteps(kernel, size, steps, n, src, dst, options);
    const buffers = (l: number, k: number) => {
      const p = `${l}.${k}.`;
      const names = ['x', 'acts', 'cs', 'hs', 'dz', 'dx', 'dh', 'dc', 'dOut', 'ut', 'wt'] as const;
      return Object.fromEntries(names.map((n) => [n, at[p + n]!])) as Record<
        (typeof names)[number],
        number
      >;
    };
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

    network.forward({
      ...{ kernel, heap, at, base: 0, ids, size, columns: T, tape: true },
      dropout: (l, y, n) => {
        if (rate === 0) return;
        const keep = at[`keep${l}`]!;
        dropMask(keep, n);
        multiply(y, keep, y, n);
      },
    });
    const pooled = at.pooled!;
    const feat = at.feat!;
    const featKeep = at.featKeep!;
    if (rate > 0) {
      dropMask(featKeep, size * headFeatures);
      multiply(pooled, featKeep, feat, size * headFeatures);
    } else {
      heap.copyWithin(feat, pooled, pooled + size * headFeatures);
    }

    // Dense, probabilities, cross-entropy (mean over the batch) and its gradient at the logits.
    const binary = units === 1;
    const K = network.dense.kernel;
    const dLogits = at.dLogits!;
    const logits = new Float64Array(units);
    const probabilities = new Float64Array(units);
    let lossSum = 0;
    let correct = 0;
    for (let b = 0; b < size; b++) {
      network.logits(heap, 0, feat + b * headFeatures, logits);
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
        heap[grads + network.dense.bias + j]! += dz;
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
      call(kernel, 'poolBackward', {
        ...{ T, B: size, Bp, F, y: at[`y${L - 1}`]! * 4, mask: at.mask! * 4 },
        ...{ pooled: pooled * 4, dFeat: dFeat * 4, dy: dyLast * 4 },
      });
    }
    for (let l = L - 1; l >= 0; l--) {
      const dy = at[`dy${l}`]!;
      for (let k = 0; k < dirs; k++) {
        const cell = network.layers[l]![k]!;
        const buf = buffers(l, k);
        const backwards = k === 1;
        const sequences = network.sequencesOf(l);
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
        const { d, D } = network.layers[l]![k]!;
        const { dx } = buffers(l, k);
        if (l > 0) {
          copy(T, d, [dx, D], [below, F], { reverse: k === 1, accumulate: k > 0 });
        } else if (this.trainEmbedding) {
          call(kernel, 'scatterEmbeddings', {
            ...{ T, B: size, Bp, ids: at.ids! * 4, src: dx * 4, D, e },
            ...{ grads: (grads + network.slots[0]!.offset) * 4, E, reverse: k },
          });
        }
      }
      if (l > 0 && rate > 0) {
        const keep = at[`keep${l - 1}`]!;
        multiply(below, keep, below, T * Bp * F);
      }
    }

    // Clipping by global norm, weight decay, Adam over the trainable part of the areas.
    const from = this.trainEmbedding ? 0 : this.network.slots[1]!.offset;
    const n = this.area - from;
    const sumSquares = call(kernel, 'sumSquares', { x: (grads + from) * 4, n });
    const norm = Math.sqrt(sumSquares);
    const clip = options.clipNorm;
    const scale = clip > 0 ? Math.fround(clip / Math.max(norm, clip)) : 1;
    const learningRate = options.learningRate;
    const [power1, power2] = this.powers;
    writeAdamSettings(heap, at.adam!, {
      ...{ scale, beta1: this.beta1, beta2: this.beta2, learningRate, epsilon: this.epsilon },
      ...{ correction1: 1 - power1, correction2: 1 - power2 },
      keep: 1 - learningRate * (options.weightDecay ?? 0),
    });
    parallel(
      'adam',
      {
        ...{ p: from * 4, g: (grads + from) * 4, m: (2 * this.area + from) * 4 },
        ...{ v: (3 * this.area + from) * 4, settings: at.adam! * 4 },
      },
      n,
      ADAM_CHUNK,
    );
    this.powers = [
      Math.fround(power1 * Math.fround(this.beta1)),
      Math.fround(power2 * Math.fround(this.beta2)),
    ];
    this.iterations++;
    return { loss: lossSum, correct, gradientNorm: norm };
  }

  /** The slots Adam updates: all, or all but the embedding while it is frozen. */
  private trainable(): Slot[] {
    const { slots } = this.network;
    return this.trainEmbedding ? slots : slots.slice(1);
  }

  private check(): void {
    if (this.disposed) throw new Error('FusedTrainer: used after dispose()');
  }
}
