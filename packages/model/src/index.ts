export {
  type ErrorCode,
  ErrorCodes,
  errorCatalog,
  errorCodeInfo,
  isLstmkitError,
  LstmkitError,
} from '@lstmkit/preprocess';
export {
  checkOwnedDirectory,
  followSymlink,
  lockDirectory,
  type OwnedState,
  type Strangers,
} from './atomic-directory';
export {
  type BackendInfo,
  type BackendName,
  type InitBackendOptions,
  initBackend,
} from './backend';
export {
  type Bundle,
  type BundleContents,
  type BundleManifest,
  checkBundleDirectory,
  loadBundle,
  saveBundle,
} from './bundle';
export { Classifier, type Prediction, type PredictOptions } from './classifier';
export * from './config';
export { createModel, lstmParameterCount } from './create-model';
export { FusedAdam } from './fused/fused-adam';
export { type ProbabilityOptions, predictProbabilities } from './predict-probabilities';
