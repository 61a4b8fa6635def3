import { modelPresets } from '@lstmkit/model';
import { pipelinePresets } from '@lstmkit/preprocess';
import type { TrainStartConfig } from '@lstmkit/trainer';

/** A `start` event's config for the textbook recipe, as the trainer resolves it. */
export const textbookStartConfig: TrainStartConfig = {
  preset: 'textbook',
  model: { ...modelPresets.textbook.model, vocabSize: 5402, numClasses: 2, seed: 42 },
  pipeline: pipelinePresets.textbook,
  batchSize: 32,
  learningRate: 0.001,
  epochs: 3,
  patience: 3,
  seed: 42,
};
