export {
  type BackendInfo,
  type BackendName,
  type InitBackendOptions,
  initBackend,
} from './backend';
export { createModel, lstmParameterCount } from './create-model';
export {
  type Arch,
  type Head,
  type MergeMode,
  type ModelConfig,
  type ModelPreset,
  modelPresets,
} from './model-config';
