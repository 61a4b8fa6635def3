import { LstmkitError } from '@lstmkit/preprocess';
import * as tf from '@tensorflow/tfjs';
import { type Bundle, loadBundle } from './bundle';

export interface Prediction {
  label: string;
  labelIndex: number;
  /** Binary: P(labelNames[1]); otherwise the top class's probability. */
  probability: number;
  probabilities: number[];
}

export interface PredictOptions {
  /** Sentences per model call (default 64). */
  batchSize?: number;
}

const DEFAULT_BATCH_SIZE = 64;

/**
 * Drops the columns that are padding in every row. Masking makes this exact, and with short
 * sentences padded to a long length most of the LSTM's work would be on padding.
 */
export function trimPadding(
  data: Int32Array,
  rows: number,
  length: number,
): { data: Int32Array; length: number } {
  let first = length;
  let last = -1;
  for (let r = 0; r < rows; r++) {
    const row = r * length;
    for (let c = 0; c < first; c++) {
      if (data[row + c] !== 0) {
        first = c;
        break;
      }
    }
    for (let c = length - 1; c > last; c--) {
      if (data[row + c] !== 0) {
        last = c;
        break;
      }
    }
  }
  // All padding: keep one (masked) step; the model needs a time axis.
  if (last < first) [first, last] = [0, 0];
  const kept = last - first + 1;
  if (kept === length) return { data, length };
  const out = new Int32Array(rows * kept);
  for (let r = 0; r < rows; r++)
    out.set(data.subarray(r * length + first, r * length + last + 1), r * kept);
  return { data: out, length: kept };
}

/** A bundle ready to classify raw text: the bundle's own pipeline, then its model. */
export class Classifier {
  readonly bundle: Bundle;
  private disposed = false;

  static async load(dir: string): Promise<Classifier> {
    return new Classifier(await loadBundle(dir));
  }

  constructor(bundle: Bundle) {
    this.bundle = bundle;
  }

  predict(texts: readonly string[], options: PredictOptions = {}): Prediction[] {
    if (this.disposed) {
      throw new LstmkitError(
        'CLASSIFIER_DISPOSED',
        `Classifier for ${this.bundle.dir} was disposed.`,
      );
    }
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new LstmkitError(
        'INVALID_BATCH_SIZE',
        `batchSize must be a positive integer, got ${batchSize}.`,
      );
    }
    if (texts.length === 0) return [];
    const { data, shape } = this.bundle.pipeline.encodeBatch(texts);
    const [rows, length] = shape;
    // Batch sentences of similar length together, so trimming removes most of the padding;
    // masking makes the order irrelevant to the results.
    const tokens = (r: number) => {
      let count = 0;
      for (let c = r * length; c < (r + 1) * length; c++) if (data[c] !== 0) count++;
      return count;
    };
    const counts = Array.from({ length: rows }, (_, r) => tokens(r));
    const order = Array.from({ length: rows }, (_, r) => r).sort((a, b) => counts[a]! - counts[b]!);
    const predictions = new Array<Prediction>(rows);
    for (let start = 0; start < rows; start += batchSize) {
      const chunk = order.slice(start, start + batchSize);
      const ids = new Int32Array(chunk.length * length);
      chunk.forEach((r, i) => {
        ids.set(data.subarray(r * length, (r + 1) * length), i * length);
      });
      this.probabilities(ids, chunk.length, length).forEach((row, i) => {
        predictions[chunk[i]!] = this.toPrediction(row);
      });
    }
    return predictions;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.bundle.model.dispose();
  }

  private probabilities(encoded: Int32Array, rows: number, fullLength: number): number[][] {
    const { data, length } = trimPadding(encoded, rows, fullLength);
    const values = tf.tidy(() => {
      const ids = tf.tensor2d(data, [rows, length], 'int32');
      return (this.bundle.model.predict(ids) as tf.Tensor).dataSync();
    });
    const width = values.length / rows;
    return Array.from({ length: rows }, (_, r) => {
      const row = Array.from(values.subarray(r * width, (r + 1) * width));
      // One sigmoid unit is P(class 1).
      return width === 1 ? [1 - row[0]!, row[0]!] : row;
    });
  }

  private toPrediction(probabilities: number[]): Prediction {
    const binary = probabilities.length === 2;
    let labelIndex = 0;
    for (let i = 1; i < probabilities.length; i++) {
      if (probabilities[i]! > probabilities[labelIndex]!) labelIndex = i;
    }
    return {
      label: this.bundle.labelNames[labelIndex]!,
      labelIndex,
      probability: binary ? probabilities[1]! : probabilities[labelIndex]!,
      probabilities,
    };
  }
}
