import {
  batchesByLength,
  type EncodedBatch,
  gatherRows,
  LstmkitError,
  rowLengths,
} from '@lstmkit/preprocess';
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
    const { pipeline } = this.bundle;
    const padId = pipeline.vocabulary.padId;
    const encoded = pipeline.encodeBatch(texts);
    const all = Array.from({ length: texts.length }, (_, r) => r);
    const predictions = new Array<Prediction>(texts.length);
    for (const rows of batchesByLength(all, rowLengths(encoded, padId), batchSize)) {
      this.probabilities(gatherRows(encoded, rows, padId)).forEach((row, i) => {
        predictions[rows[i]!] = this.toPrediction(row);
      });
    }
    return predictions;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.bundle.model.dispose();
  }

  private probabilities(batch: EncodedBatch): number[][] {
    const rows = batch.shape[0];
    const values = tf.tidy(() => {
      const ids = tf.tensor2d(batch.data, batch.shape, 'int32');
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
