export { isLstmkitError, LstmkitError } from '@lstmkit/preprocess';
export { computeMetrics } from './metrics.js';
export { trainDefaults } from './options.js';
export type { Metrics, TrainEvent, TrainOptions, TrainResult } from './types.js';
