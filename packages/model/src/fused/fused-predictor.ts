import type * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../model-config';
import { FusedNetwork } from './fused-network';
import { kernelInUse, layout } from './lstm-kernel';

/**
 * Inference of a `createModel` model in the fused kernel, the whole network in one pass: the
 * embedding rows, every LSTM layer and direction, the head and the dense output, with no tfjs
 * op in between (tfjs's per-layer dispatch, copies and concatenations cost more than the LSTM
 * at batch 256). Outputs match `model.apply` within float rounding (tested).
 *
 * The weights are read once, when it is made: make a new one after they change.
 */
export class FusedPredictor {
  /** Whether a model of `config` runs here (else on its tfjs layers). */
  static supports(config: ModelConfig): boolean {
    return FusedNetwork.fits(config);
  }

  private readonly network: FusedNetwork;
  /** [vocab, e]: rows are gathered from here, not copied into kernel memory. */
  private readonly table: Float32Array;
  /** The area after the embedding table (LSTM and dense weights, packed), copied in per call. */
  private readonly weights: Float32Array;
  private readonly tableFloats: number;

  constructor(model: tf.LayersModel, config: ModelConfig) {
    this.network = new FusedNetwork(model, config);
    const [embedding, ...rest] = this.network.slots;
    this.table = (embedding!.variable.dataSync() as Float32Array).slice();
    this.tableFloats = rest[0]!.offset;
    this.weights = new Float32Array(this.network.area - this.tableFloats);
    this.network.pack(this.weights, -this.tableFloats, rest);
  }

  /** The model's outputs for ids [rows, columns] (0 = padding): [rows, units], row-major. */
  predict(ids: Int32Array, rows: number, columns: number): Float32Array {
    const { network } = this;
    network.checkIds(ids, rows * columns);
    const sizes: Record<string, number> = {
      weights: this.weights.length,
      ...network.forwardSizes(rows, columns, false),
    };
    const overwritten = Object.keys(sizes).filter(
      (name) => name === 'weights' || FusedNetwork.forwardOverwritten.test(name),
    );
    const { at, heap } = layout(sizes, overwritten);
    heap.set(this.weights, at.weights!);
    const base = at.weights! - this.tableFloats;
    network.forward({
      ...{ kernel: kernelInUse(), heap, at, base, ids, size: rows, columns, tape: false },
      table: this.table,
    });
    const { features, units } = network.dense;
    const out = new Float32Array(rows * units);
    const logits = new Float64Array(units);
    for (let b = 0; b < rows; b++) {
      network.logits(heap, base, at.pooled! + b * features, logits);
      if (units === 1) {
        out[b] = 1 / (1 + Math.exp(-logits[0]!));
        continue;
      }
      let max = -Infinity;
      for (let j = 0; j < units; j++) max = Math.max(max, logits[j]!);
      let total = 0;
      for (let j = 0; j < units; j++) total += logits[j] = Math.exp(logits[j]! - max);
      for (let j = 0; j < units; j++) out[b * units + j] = logits[j]! / total;
    }
    return out;
  }
}
