import type { ModelPreset } from '@lstmkit/model';
import type { TrainCliOptions } from '../options/train-options.js';

export interface RecipeDefaults {
  batchSize: number;
  learningRate: number;
  epochs: number;
  patience: number;
  seed: number;
}

/**
 * The two lines `lstmkit train` prints before training: the model and the optimisation, with
 * the preset's and the trainer's defaults filled in, so a log says what was trained.
 */
export function describeRecipe(
  options: TrainCliOptions,
  preset: ModelPreset,
  defaults: RecipeDefaults,
): { model: string; training: string } {
  const m = { ...preset.model, ...options.model };
  const arch = m.arch === 'bilstm' ? `bilstm (${m.mergeMode})` : 'lstm';
  const length = options.sequenceLength ?? preset.sequenceLength;
  const model = [
    `${options.preset} preset`,
    arch,
    `embedding ${m.embeddingDim}`,
    `${m.layers}×${m.hiddenSize} units`,
    `dropout ${m.dropout}`,
    `head ${m.head}`,
    `${length} tokens`,
  ].join(' · ');
  const patience = options.patience ?? defaults.patience;
  const epochs = options.epochs ?? defaults.epochs;
  const training = [
    `batch ${options.batchSize ?? defaults.batchSize}`,
    `lr ${options.learningRate ?? defaults.learningRate}`,
    `${epochs} epoch${epochs === 1 ? '' : 's'}`,
    patience === 0 ? 'no early stopping' : `patience ${patience}`,
    `seed ${options.seed ?? defaults.seed}`,
  ].join(' · ');
  return { model, training };
}
