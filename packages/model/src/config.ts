/**
 * tfjs-free entry (`@lstmkit/model/config`): the model's configuration, recipes, limits and
 * decision rule, for code that describes or validates a model without loading TensorFlow.js.
 */
export { decideClass, decisionDefaults } from './decision';
export {
  type Arch,
  type Head,
  type LstmKernel,
  type MergeMode,
  type ModelConfig,
  type ModelPreset,
  modelLimits,
  modelPresets,
  type PresetName,
  presetNames,
  validateModelConfig,
} from './model-config';

/** Sentences per model call when predicting (`Classifier.predict`, evaluation, the CLI). */
export const inferenceDefaults = {
  batchSize: 256,
} as const;

/**
 * Keras' clipping of probabilities inside the cross-entropy: the trainer's tfjs step, the fused
 * step (FusedTrainer) and the evaluation metrics clip alike, so their losses agree.
 */
export const lossDefaults = {
  probabilityEpsilon: 1e-7,
} as const;
