import { LstmkitError } from '@lstmkit/preprocess';
import { type Bundle, loadBundle } from './bundle';
import { inferenceDefaults } from './config';
import { decideClass, decisionDefaults } from './decision';
import { checkBatchSize, predictProbabilities } from './predict-probabilities';

export interface Prediction {
  label: string;
  labelIndex: number;
  /** Binary: P(labelNames[1]); otherwise the top class's probability. */
  probability: number;
  probabilities: number[];
}

export interface PredictOptions {
  /** Sentences per model call (default `inferenceDefaults.batchSize`, 256). */
  batchSize?: number;
}

/** A bundle ready to classify raw text: the bundle's own pipeline, then its model. */
export class Classifier {
  readonly bundle: Bundle;
  /** Binary problems: P(labelNames[1]) at or above this predicts labelNames[1]. */
  readonly threshold: number = decisionDefaults.binaryThreshold;
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
    const batchSize = checkBatchSize(options.batchSize ?? inferenceDefaults.batchSize);
    if (texts.length === 0) return [];
    const { model, pipeline } = this.bundle;
    const probabilities = predictProbabilities(model, pipeline.encodeBatch(texts), {
      padId: pipeline.vocabulary.padId,
      batchSize,
    });
    return probabilities.map((row) => this.toPrediction(row));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.bundle.model.dispose();
  }

  private toPrediction(probabilities: number[]): Prediction {
    const binary = probabilities.length === 2;
    const labelIndex = decideClass(probabilities, this.threshold);
    return {
      label: this.bundle.labelNames[labelIndex]!,
      labelIndex,
      probability: binary ? probabilities[1]! : probabilities[labelIndex]!,
      probabilities,
    };
  }
}
