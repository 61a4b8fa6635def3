export { isLstmkitError, LstmkitError } from '@lstmkit/preprocess';
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
  loadBundle,
  saveBundle,
} from './bundle';
export { Classifier, type Prediction, type PredictOptions } from './classifier';
export { createModel, lstmParameterCount } from './create-model';
export { FusedAdam } from './fused/fused-adam';
export {
  type Arch,
  type Head,
  type LstmKernel,
  type MergeMode,
  type ModelConfig,
  type ModelPreset,
  modelPresets,
} from './model-config';
