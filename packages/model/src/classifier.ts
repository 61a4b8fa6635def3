import { type EncodedBatch, LstmkitError } from '@lstmkit/preprocess';
import { type Bundle, loadBundle } from './bundle';
import { inferenceDefaults } from './config';
import { decideClass, decisionDefaults } from './decision';
import {
  checkBatchSize,
  type InferenceModel,
  inferenceModel,
  predictProbabilities,
} from './predict-probabilities';

export interface Prediction {
  label: string;
  labelIndex: number;
  /** Binary: P(labelNames[1]); otherwise the top class's probability. */
  probability: number;
  probabilities: number[];
  /**
   * Tokens of the text (as far as the model reads it) found in the vocabulary. 0 means nothing
   * to classify (emoji, punctuation or unseen words only): the answer is the model's prior.
   */
  knownTokens: number;
}

export interface PredictOptions {
  /** Sentences per model call (default `inferenceDefaults.batchSize`, 256). */
  batchSize?: number;
}

/** A bundle ready to classify raw text: the bundle's own pipeline, then its model. */
export class Classifier {
  readonly bundle: Bundle;
  /**
   * Binary problems: P(labelNames[1]) at or above this predicts labelNames[1] (the bundle's
   * stored threshold, else 0.5).
   */
  readonly threshold: number;
  /** The bundle's model, or its whole forward pass in the fused kernel. */
  private readonly inference: InferenceModel;
  private disposed = false;

  static async load(dir: string): Promise<Classifier> {
    return new Classifier(await loadBundle(dir));
  }

  constructor(bundle: Bundle) {
    this.bundle = bundle;
    this.threshold = bundle.threshold ?? decisionDefaults.binaryThreshold;
    this.inference = inferenceModel(bundle.model, bundle.modelConfig);
  }

  predict(texts: readonly string[], options: PredictOptions = {}): Prediction[] {
    if (this.disposed) {
      throw new LstmkitError(
        'CLASSIFIER_DISPOSED',
        `Classifier for ${this.bundle.dir} was disposed.`,
      );
    }
    const batchSize = checkBatchSize(options.batchSize ?? inferenceDefaults.batchSize);
    if (texts.length === 0) return [];
    const { pipeline } = this.bundle;
    const encoded = pipeline.encodeBatch(texts);
    const probabilities = predictProbabilities(this.inference, encoded, {
      padId: pipeline.vocabulary.padId,
      batchSize,
    });
    const known = knownTokenCounts(encoded, pipeline.vocabulary.unkId);
    return probabilities.map((row, i) => this.toPrediction(row, known[i]!));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.bundle.model.dispose();
  }

  private toPrediction(probabilities: number[], knownTokens: number): Prediction {
    const binary = probabilities.length === 2;
    const labelIndex = decideClass(probabilities, this.threshold);
    return {
      label: this.bundle.labelNames[labelIndex]!,
      labelIndex,
      probability: binary ? probabilities[1]! : probabilities[labelIndex]!,
      probabilities,
      knownTokens,
    };
  }
}

/** Ids above unk's in each row: padding is 0 and unk 1. */
function knownTokenCounts(batch: EncodedBatch, unkId: number): Int32Array {
  const [rows, length] = batch.shape;
  const counts = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    for (let c = r * length; c < (r + 1) * length; c++) if (batch.data[c]! > unkId) counts[r]! += 1;
  }
  return counts;
}
