/**
 * The browser entry of @lstmkit/model (the `browser` export condition): the same Classifier,
 * models and layers as in Node, with bundles loaded by fetch, File or directory handle and
 * verified with Web Crypto.
 */
export { isLstmkitError, LstmkitError } from '@lstmkit/preprocess';
export {
  type BackendInfo,
  type BackendName,
  type InitBackendOptions,
  initBackend,
} from './backend.browser';
export {
  type Bundle,
  type BundleContents,
  type BundleManifest,
  type BundleSource,
  bundleFiles,
  loadBundle,
} from './bundle.browser';
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
