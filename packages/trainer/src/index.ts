export { isLstmkitError, LstmkitError } from '@lstmkit/preprocess';
export { evaluate } from './evaluate.js';
export { computeMetrics } from './metrics.js';
export { trainDefaults } from './options.js';
export { checkOutputs, type OutputPaths } from './outputs.js';
export { train } from './train.js';
export type {
  Metrics,
  TrainEvent,
  TrainOptions,
  TrainResult,
  TrainStartConfig,
} from './types.js';
