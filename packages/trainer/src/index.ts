export { isLstmkitError, LstmkitError } from '@lstmkit/preprocess';
export type { ClassWeightOption } from './class-weights.js';
export {
  type HashSplitOptions,
  optionHelp,
  type PipelineOverrides,
  type PresetName,
  presetNames,
  type Recipe,
  type RunConfig,
  type RunOverrides,
  recipes,
  resolveRunConfig,
  resumableFields,
  type SplitRecord,
  splitOptionsOf,
  trainDefaults,
  trainLimits,
} from './config.js';
export type { DataManifest, ShardedSplit } from './data-store.js';
export type { EmbeddingCoverage } from './embedding-matrix.js';
export { type EvaluateSourceOptions, evaluate, evaluateSource } from './evaluate.js';
export { train } from './file-run-store.js';
export {
  type LrScheduleName,
  type LrScheduleOption,
  lrScheduleDefaults,
} from './lr-schedule.js';
export { computeMetrics } from './metrics.js';
export { checkOutputs, type OutputPaths } from './outputs.js';
export { selectThreshold, type ThresholdChoice, type ThresholdMetric } from './threshold.js';
export type {
  AveragedScores,
  ClassScores,
  Metrics,
  PassEvent,
  RunPosition,
  TrainEvent,
  TrainingRecord,
  TrainOptions,
  TrainResult,
} from './types.js';
