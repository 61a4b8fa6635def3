import type { BackendName } from '@lstmkit/model';
import type { Dataset, DatasetSource, DatasetSplits } from '@lstmkit/preprocess';
import type { RunConfig, RunOverrides } from './config.js';
import type { EmbeddingCoverage } from './embedding-matrix.js';

export interface AveragedScores {
  precision: number;
  recall: number;
  f1: number;
}

export interface ClassScores extends AveragedScores {
  /** Examples whose true label is this class. */
  support: number;
}

export interface Metrics {
  loss: number;
  accuracy: number;
  /** Binary: of the positive class (label 1). More classes: macro average. */
  precision: number;
  recall: number;
  f1: number;
  /** Index k is label k (`labelNames[k]`). */
  perClass: ClassScores[];
  /** Unweighted mean over classes. */
  macro: AveragedScores;
  /** Mean over classes weighted by support. */
  weighted: AveragedScores;
  /** Rows are true labels, columns predictions. */
  confusionMatrix: number[][];
  /** Binary problems with both classes present. */
  rocAuc?: number;
  /** Binary, when asked for (the final test evaluation): [fpr, tpr] points of the ROC curve. */
  rocCurve?: [number, number][];
  count: number;
}

export interface TrainResult {
  bundleDir: string;
  /** Label k of the metrics is `labelNames[k]`. */
  labelNames: string[];
  reportPath: string;
  historyPath: string;
  plotPath: string;
  bestEpoch: number;
  epochsRun: number;
  stoppedEarly: boolean;
  /** Stopped by `signal`: state is saved for `resume`; `test.count` is 0 (not evaluated). */
  interrupted: boolean;
  /** Where training stopped (`globalStep` 0: before the first step). */
  stoppedAt: RunPosition;
  validation: Metrics;
  test: Metrics;
  /** Binary models: the decision threshold stored in the bundle (absent: 0.5). */
  threshold?: number;
  secondsPerEpoch: number;
}

/** Where a run is: the next step to train is `step` (0-based) of 1-based `epoch`. */
export interface RunPosition {
  epoch: number;
  /** Steps of `epoch` already trained. */
  step: number;
  stepsPerEpoch: number;
  /** Optimizer steps of the whole run so far. */
  globalStep: number;
}

/** The bundle's `training` record: the run's config, its dataset and where the bundle came from. */
export type TrainingRecord = RunConfig & {
  dataset: string;
  /** The checkpoint's epoch and optimizer step. */
  epoch: number;
  step: number;
  /** Set once the run completed. */
  epochsRun?: number;
  stoppedEarly?: boolean;
  /** The class weights `classWeight` resolved to (one per label). */
  classWeights?: number[];
  /** What the pretrained vectors covered. */
  embeddingCoverage?: { format: string; dimensions: number; found: number; missing: number };
};

/**
 * Progress of one pass over the data or a split: `digest` (hashing the file), `count` (pass 1:
 * labels and vocabulary), `encode` (pass 2: shards), `validation` and `test` (scoring).
 * `cached`: the pass was skipped, its result read from the encoded-data directory.
 */
export interface PassEvent {
  type: 'pass';
  pass: 'digest' | 'count' | 'encode' | 'validation' | 'test';
  done: number;
  /** Undefined when not known ahead (a stream of unknown size). */
  total: number | undefined;
  unit: 'bytes' | 'rows' | 'steps';
  /** Since the pass began. */
  seconds: number;
  finished?: boolean;
  cached?: boolean;
}

export type TrainEvent =
  | PassEvent
  | {
      type: 'start';
      /** The labels found in the data (or the fine-tuned bundle's), in index order. */
      labelNames: string[];
      totalEpochs: number;
      stepsPerEpoch: number;
      trainSize: number;
      validationSize: number;
      testSize: number;
      /** Validation examples beyond `maxValidation`, trained on instead. */
      validationToTrain: number;
      /** Where the encoded shards are (Node: `<outDir>.data/`). */
      dataDir: string;
      backend: string;
      /** What this run trains with: presets, overrides and defaults resolved. */
      config: RunConfig;
      /** Set when this run continues a saved one: where it continues. */
      resumedFrom?: RunPosition;
    }
  | {
      /** Pretrained vectors were read: how much of the vocabulary they cover. */
      type: 'embeddings';
      path: string;
      dimensions: number;
      coverage: EmbeddingCoverage;
    }
  | {
      type: 'step';
      epoch: number;
      step: number;
      stepsPerEpoch: number;
      loss: number;
      /** The rate this step was taken with. */
      learningRate: number;
      /** Training throughput of this epoch so far (since the resume, if it resumed). */
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

/** A run's configuration (`RunOverrides`, resolved by `resolveRunConfig`) and its inputs. */
export interface TrainOptions extends Omit<RunOverrides, 'givenSplits'> {
  /**
   * The data: a `Dataset` in memory, or a `DatasetSource` (`openDataset` in Node), read in two
   * streaming passes whatever its size. Either way it is encoded into shards in the run's store.
   */
  dataset: Dataset | DatasetSource;
  /** Use these splits as given instead of splitting `dataset.examples` (recorded as given). */
  splits?: DatasetSplits;
  /**
   * The best bundle is written here; reports go to `<outDir>.report/`, run state to
   * `<outDir>.run/`, the encoded data to `<outDir>.data/` (reused by a run with the same data).
   */
  outDir: string;
  /** Continue the run saved in `<outDir>.run/` (starts fresh when there is none). */
  resume?: boolean;
  /** Stops at the next step boundary after saving the run state; the result says `interrupted`. */
  signal?: AbortSignal;
  /** Passed to `initBackend` (default: `$LSTMKIT_BACKEND`, else auto). */
  backend?: BackendName | 'auto';
  onEvent?: (event: TrainEvent) => void;
}
