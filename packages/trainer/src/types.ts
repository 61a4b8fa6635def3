import type { BackendName, ModelConfig } from '@lstmkit/model';
import type {
  Dataset,
  DatasetSplits,
  PipelineConfig,
  SplitOptions,
  VocabularyOptions,
} from '@lstmkit/preprocess';

export interface Metrics {
  loss: number;
  accuracy: number;
  /** Binary: of the positive class (label 1). More classes: macro average. */
  precision: number;
  recall: number;
  f1: number;
  /** Rows are true labels, columns predictions. */
  confusionMatrix: number[][];
  /** Binary problems with both classes present. */
  rocAuc?: number;
  count: number;
}

export interface TrainResult {
  bundleDir: string;
  reportPath: string;
  historyPath: string;
  plotPath: string;
  bestEpoch: number;
  epochsRun: number;
  stoppedEarly: boolean;
  /** Stopped by `signal`: state is saved for `resume`; `test.count` is 0 (not evaluated). */
  interrupted: boolean;
  validation: Metrics;
  test: Metrics;
  secondsPerEpoch: number;
}

export interface TrainStartConfig {
  preset: 'textbook' | 'default';
  model: ModelConfig;
  pipeline: PipelineConfig;
  batchSize: number;
  learningRate: number;
  epochs: number;
  patience: number;
  seed: number;
}

export type TrainEvent =
  | {
      type: 'start';
      totalEpochs: number;
      stepsPerEpoch: number;
      trainSize: number;
      validationSize: number;
      testSize: number;
      backend: string;
      /** What this run trains with: presets, overrides and defaults resolved. */
      config: TrainStartConfig;
    }
  | {
      type: 'step';
      epoch: number;
      step: number;
      stepsPerEpoch: number;
      loss: number;
      samplesPerSecond: number;
    }
  | {
      type: 'evaluation';
      epoch: number;
      step: number;
      train: { loss: number; accuracy: number };
      validation: Metrics;
      improved: boolean;
    }
  | { type: 'checkpoint'; epoch: number; step: number; dir: string; validationLoss: number }
  | { type: 'epoch'; epoch: number; seconds: number }
  | { type: 'early-stop'; epoch: number; bestEpoch: number }
  | { type: 'end'; result: TrainResult };

export interface TrainOptions {
  dataset: Dataset;
  /** Use these splits as given instead of splitting `dataset.examples`. */
  splits?: DatasetSplits;
  split?: SplitOptions;
  /** Overrides on the preset's pipeline (`pipelinePresets[preset]`); `sequence` merges field by field. */
  pipeline?: Partial<PipelineConfig>;
  vocabulary?: VocabularyOptions;
  preset?: 'textbook' | 'default';
  /** Overrides on `modelPresets[preset].model`; vocabSize and numClasses come from the data. */
  model?: Partial<ModelConfig>;
  batchSize?: number;
  epochs?: number;
  learningRate?: number;
  /** Clip gradients by global norm; 0 disables. */
  clipNorm?: number;
  /** Also validate every N optimizer steps (validation always runs at each epoch end). */
  evalEvery?: number;
  /** Evaluations without improvement of validation loss before stopping; 0 disables. */
  patience?: number;
  seed?: number;
  /** The best bundle is written here; reports go to `<outDir>.report/`, run state to `<outDir>.run/`. */
  outDir: string;
  /** Continue the run saved in `<outDir>.run/` (starts fresh when there is none). */
  resume?: boolean;
  /** Stops at the next step boundary after saving the run state; the result says `interrupted`. */
  signal?: AbortSignal;
  /** Passed to `initBackend` (default: `$LSTMKIT_BACKEND`, else auto). */
  backend?: BackendName | 'auto';
  onEvent?: (event: TrainEvent) => void;
}
