/**
 * The browser entry of @lstmkit/trainer (the `browser` export condition): the same training
 * loop as in Node, keeping the bundle, history and report in memory (e.g. in a Web Worker).
 */
export { isLstmkitError, LstmkitError } from '@lstmkit/preprocess';
export { presetNames, type RunConfig, trainDefaults } from './config.js';
export type { HistoryRow } from './history.js';
export { type MemoryRunStore, memoryRunStore } from './memory-run-store.js';
export { computeMetrics } from './metrics.js';
export { renderTrainingSvg } from './plot.js';
export {
  type InMemoryTrainOptions,
  type InMemoryTrainResult,
  trainInMemory,
} from './train-in-memory.js';
export type { Metrics, TrainEvent, TrainResult } from './types.js';
