// The part of the API that is the same in Node and in browsers; index.ts and browser.ts add
// their own backend setup and bundle I/O.
export {
  type ErrorCode,
  ErrorCodes,
  errorCatalog,
  errorCodeInfo,
  isLstmkitError,
  LstmkitError,
} from '@lstmkit/preprocess';
export type { Bundle, BundleContents, BundleManifest } from './bundle-format';
export { Classifier, type Prediction, type PredictOptions } from './classifier';
export * from './config';
export { createModel, lstmParameterCount } from './create-model';
export { type AdamState, FusedAdam } from './fused/fused-adam';
export { FusedPredictor } from './fused/fused-predictor';
export {
  type FusedBatch,
  type FusedStepOptions,
  type FusedStepResult,
  FusedTrainer,
} from './fused/fused-trainer';
export {
  type InferenceModel,
  inferenceModel,
  type ProbabilityOptions,
  predictProbabilities,
} from './predict-probabilities';
