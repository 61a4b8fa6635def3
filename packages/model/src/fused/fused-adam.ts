import * as tf from '@tensorflow/tfjs';
import {
  ADAM_SETTINGS_FLOATS,
  call,
  instantiateKernel,
  type KernelExports,
  writeAdamSettings,
} from './lstm-kernel';

/** tfjs's NamedTensor (not exported by @tensorflow/tfjs). */
type NamedTensor = { name: string; tensor: tf.Tensor };

interface Slot {
  name: string;
  shape: number[];
  size: number;
  /** Float offset of this variable within each of the four areas (params, grads, m, v). */
  offset: number;
}

const roundUp4 = (n: number) => Math.ceil(n / 4) * 4;

/** Adam's state per variable (tfjs layout) and its step count and beta powers. */
export interface AdamState {
  iterations: number;
  powers: [number, number];
  m: Float32Array[];
  v: Float32Array[];
}

/**
 * tfjs's Adam (same formula, f32 operation order, epsilon and `getWeights` / `setWeights`
 * format, class name 'Adam') with the update of all variables in one WebAssembly call, and
 * optional clipping by global norm fused in (`applyClippedGradients`). The stock optimizer runs
 * about a dozen tfjs ops per variable per step: at the textbook model's 391k parameters that
 * was ~6 ms of a ~28 ms training step on the wasm backend. The moments live in this
 * optimizer's own WebAssembly memory; `getWeights` copies them into tfjs variables (live, as
 * the stock optimizer's: callers do not dispose them).
 */
export class FusedAdam extends tf.AdamOptimizer {
  private readonly kernel: KernelExports = instantiateKernel();
  private slots: Slot[] = [];
  /** Floats per area; the areas are params | grads | m | v. */
  private area = 0;
  private moments: tf.Variable[] = [];

  constructor(learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon?: number) {
    super(learningRate, beta1, beta2, epsilon ?? (null as unknown as number));
  }

  /**
   * beta1^t and beta2^t: the stock optimizer's own running products (f32 variables), which the
   * trainer saves and restores for an exact resume; this class reads and advances them.
   */
  private get products(): [tf.Variable, tf.Variable] {
    const self = this as unknown as { accBeta1: tf.Variable; accBeta2: tf.Variable };
    return [self.accBeta1, self.accBeta2];
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const list = Array.isArray(variableGradients)
      ? variableGradients
      : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }));
    this.applyClippedGradients(list, 0);
  }

  /**
   * Scales the gradients by clipNorm / max(globalNorm, clipNorm) (no clipping when clipNorm
   * <= 0), as Keras' `global_clipnorm` and PyTorch's clip_grad_norm_, then takes one Adam step.
   * Gradients must come in the same variable order at every call. Returns the global norm
   * before clipping.
   */
  applyClippedGradients(gradients: readonly NamedTensor[], clipNorm: number): number {
    const variables = gradients.map(({ name }) => tf.engine().registeredVariables[name]!);
    this.ensureLayout(variables);
    const heap = this.heap();
    const { slots, area } = this;
    let sumSquares = 0;
    gradients.forEach(({ tensor }, i) => {
      const slot = slots[i]!;
      heap.set(tensor.dataSync() as Float32Array, area + slot.offset);
      sumSquares += call(this.kernel, 'sumSquares', {
        x: (area + slot.offset) * 4,
        n: roundUp4(slot.size),
      });
    });
    const norm = Math.sqrt(sumSquares);
    const scale = clipNorm > 0 ? Math.fround(clipNorm / Math.max(norm, clipNorm)) : 1;
    variables.forEach((variable, i) => {
      heap.set(variable.dataSync() as Float32Array, slots[i]!.offset);
    });
    const [accBeta1, accBeta2] = this.products;
    const [power1, power2] = [accBeta1.dataSync()[0]!, accBeta2.dataSync()[0]!];
    writeAdamSettings(heap, 4 * area, {
      ...{ scale, beta1: this.beta1, beta2: this.beta2, learningRate: this.learningRate },
      ...{ correction1: 1 - power1, correction2: 1 - power2, epsilon: this.epsilon, keep: 1 },
    });
    call(this.kernel, 'adam', {
      ...{ p: 0, g: area * 4, m: 2 * area * 4, v: 3 * area * 4 },
      ...{ settings: 4 * area * 4, i0: 0, i1: area },
    });
    variables.forEach((variable, i) => {
      const { offset, size, shape } = slots[i]!;
      tf.tidy(() => variable.assign(tf.tensor(heap.subarray(offset, offset + size), shape)));
    });
    // As tfjs: accBeta <- accBeta * beta, in f32.
    tf.tidy(() => {
      accBeta1.assign(tf.scalar(Math.fround(power1 * Math.fround(this.beta1))));
      accBeta2.assign(tf.scalar(Math.fround(power2 * Math.fround(this.beta2))));
    });
    this.incrementIterations();
    return norm;
  }

  /** beta1, beta2 and epsilon, for a fused training step that runs this optimizer's update. */
  get settings(): { beta1: number; beta2: number; epsilon: number } {
    return { beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }

  /**
   * The moments of `variables` (in tfjs's layout, fresh zeros for a new variable list), the
   * iteration count and beta1^t, beta2^t: the state a fused training step takes over.
   */
  state(variables: readonly tf.Variable[]): AdamState {
    this.ensureLayout(variables);
    const heap = this.heap();
    const moments = (k: number) =>
      this.slots.map(({ offset, size }) =>
        heap.slice(k * this.area + offset, k * this.area + offset + size),
      );
    const [accBeta1, accBeta2] = this.products;
    return {
      iterations: this.iterations,
      powers: [accBeta1.dataSync()[0]!, accBeta2.dataSync()[0]!],
      m: moments(2),
      v: moments(3),
    };
  }

  /** Takes the state back from a fused training step (as `state` gave it, for `variables`). */
  setState(variables: readonly tf.Variable[], state: AdamState): void {
    this.ensureLayout(variables);
    const heap = this.heap();
    this.slots.forEach(({ offset }, i) => {
      heap.set(state.m[i]!, 2 * this.area + offset);
      heap.set(state.v[i]!, 3 * this.area + offset);
    });
    const [accBeta1, accBeta2] = this.products;
    tf.tidy(() => {
      accBeta1.assign(tf.scalar(state.powers[0]));
      accBeta2.assign(tf.scalar(state.powers[1]));
    });
    (this as unknown as { iterations_: number }).iterations_ = state.iterations;
  }

  override async getWeights(): Promise<NamedTensor[]> {
    const heap = this.heap();
    const entries: NamedTensor[] = [];
    for (const [k, suffix] of ['m', 'v'].entries()) {
      this.slots.forEach((slot, i) => {
        const moment = this.moments[k * this.slots.length + i]!;
        const start = (k + 2) * this.area + slot.offset;
        tf.tidy(() =>
          moment.assign(tf.tensor(heap.subarray(start, start + slot.size), slot.shape)),
        );
        entries.push({ name: `${slot.name}/${suffix}`, tensor: moment });
      });
    }
    return [await this.saveIterations(), ...entries];
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const values = await this.extractIterations(weightValues);
    const [accBeta1, accBeta2] = this.products;
    tf.tidy(() => {
      accBeta1.assign(tf.pow(this.beta1, this.iterations + 1));
      accBeta2.assign(tf.pow(this.beta2, this.iterations + 1));
    });
    const half = values.length / 2;
    const first = values.slice(0, half);
    this.layout(
      first.map(({ name, tensor }) => ({ name: name.replace(/\/m$/, ''), shape: tensor.shape })),
    );
    const heap = this.heap();
    values.forEach(({ tensor }, j) => {
      const k = j < half ? 2 : 3;
      heap.set(tensor.dataSync() as Float32Array, k * this.area + this.slots[j % half]!.offset);
    });
  }

  override dispose(): void {
    super.dispose();
    tf.dispose(this.moments);
    this.moments = [];
  }

  /**
   * Lays out fresh (zero) moments unless these variables have the current slots' sizes: like
   * the stock optimizer, moments belong to positions (restored state carries saved names).
   */
  private ensureLayout(variables: readonly tf.Variable[]): void {
    const same =
      variables.length === this.slots.length &&
      variables.every((v, i) => v.size === this.slots[i]!.size);
    if (!same) this.layout(variables.map((v) => ({ name: v.name, shape: v.shape })));
    variables.forEach((v, i) => {
      this.slots[i]!.name = v.name;
    });
  }

  private layout(variables: readonly { name: string; shape: number[] }[]): void {
    let offset = 0;
    this.slots = variables.map(({ name, shape }) => {
      const size = shape.reduce((a, b) => a * b, 1);
      const slot = { name, shape, size, offset };
      offset += roundUp4(size);
      return slot;
    });
    this.area = offset;
    const { memory } = this.kernel;
    const missing = (4 * offset + ADAM_SETTINGS_FLOATS) * 4 - memory.buffer.byteLength;
    if (missing > 0) memory.grow(Math.ceil(missing / 65536));
    this.heap().fill(0);
    // Created up front, as the stock optimizer's are, so the tensor count stays flat from the
    // first step (callers check it); getWeights refreshes them.
    tf.dispose(this.moments);
    this.moments = [...this.slots, ...this.slots].map(({ shape }) =>
      tf.tidy(() => tf.variable(tf.zeros(shape), false)),
    );
  }

  private heap(): Float32Array {
    return new Float32Array(this.kernel.memory.buffer, 0, 4 * this.area + ADAM_SETTINGS_FLOATS);
  }
}
