export { isLstmkitError, LstmkitError } from '@lstmkit/preprocess';
export {
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
export { evaluate } from './evaluate.js';
export { train } from './file-run-store.js';
export { computeMetrics } from './metrics.js';
export { checkOutputs, type OutputPaths } from './outputs.js';
export type {
  Metrics,
  RunPosition,
  TrainEvent,
  TrainingRecord,
  TrainOptions,
  TrainResult,
} from './types.js';
