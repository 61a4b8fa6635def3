export { isLstmkitError, LstmkitError } from '@lstmkit/preprocess';
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
export { createModel, lstmParameterCount } from './create-model';
export {
  type Arch,
  type Head,
  type LstmKernel,
  type MergeMode,
  type ModelConfig,
  type ModelPreset,
  modelPresets,
} from './model-config';
