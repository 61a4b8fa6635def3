import { type BackendName, type ModelConfig, modelPresets } from '@lstmkit/model';
import {
  type Dataset,
  type DatasetSplits,
  LstmkitError,
  type PipelineConfig,
  pipelinePresets,
  type SplitOptions,
  type VocabularyOptions,
} from '@lstmkit/preprocess';
import type { TrainEvent, TrainOptions } from './types.js';

/** Every training default, in one place. */
export const trainDefaults = {
  preset: 'default',
  batchSize: 32,
  epochs: 10,
  learningRate: 1e-3,
  clipNorm: 5,
  evalEvery: 0,
  patience: 3,
  seed: 42,
} as const;

export interface ResolvedTrainOptions {
  dataset: Dataset;
  splits: DatasetSplits | undefined;
  split: SplitOptions;
  preset: 'textbook' | 'default';
  pipeline: PipelineConfig;
  vocabulary: VocabularyOptions;
  /** Everything but vocabSize and numClasses, which come from the data. */
  model: Omit<ModelConfig, 'vocabSize' | 'numClasses'>;
  batchSize: number;
  epochs: number;
  learningRate: number;
  clipNorm: number;
  evalEvery: number;
  patience: number;
  seed: number;
  outDir: string;
  resume: boolean;
  signal: AbortSignal | undefined;
  backend: BackendName | 'auto' | undefined;
  onEvent: (event: TrainEvent) => void;
}

function invalid(field: string, expected: string, value: unknown): never {
  throw new LstmkitError(
    'INVALID_TRAIN_OPTIONS',
    `Training option '${field}' must be ${expected}, got ${JSON.stringify(value)}.`,
  );
}

function integer(field: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    invalid(
      field,
      max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`,
      value,
    );
  }
  return value;
}

function positive(field: string, value: number, allowZero: boolean): number {
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < 0 ||
    (!allowZero && value === 0)
  ) {
    invalid(field, allowZero ? 'a finite number >= 0' : 'a finite number > 0', value);
  }
  return value;
}

/** Apply defaults and validate once; the error names the bad field and its limit. */
export function resolveTrainOptions(options: TrainOptions): ResolvedTrainOptions {
  if (options === null || typeof options !== 'object') invalid('options', 'an object', options);
  const { dataset } = options;
  if (!dataset || !Array.isArray(dataset.examples) || !Array.isArray(dataset.labelNames)) {
    invalid('dataset', 'a Dataset with examples and labelNames', typeof dataset);
  }
  if (dataset.labelNames.length < 2) {
    invalid('dataset.labelNames', 'at least 2 labels', dataset.labelNames);
  }
  if (typeof options.outDir !== 'string' || options.outDir.length === 0) {
    invalid('outDir', 'a non-empty directory path', options.outDir);
  }
  const preset = options.preset ?? trainDefaults.preset;
  if (preset !== 'textbook' && preset !== 'default') {
    invalid('preset', "'textbook' or 'default'", preset);
  }
  const modelPreset = modelPresets[preset];
  const basePipeline = pipelinePresets[preset];
  const overrides = options.pipeline ?? {};
  const pipeline: PipelineConfig = {
    clean: { ...basePipeline.clean, ...overrides.clean },
    tokenizer: { ...(overrides.tokenizer ?? basePipeline.tokenizer) },
    sequence: {
      ...basePipeline.sequence,
      length: modelPreset.sequenceLength,
      ...overrides.sequence,
    },
  };
  integer('pipeline.sequence.length', pipeline.sequence.length, 1, 100_000);

  const { vocabSize, numClasses, ...modelOverrides } = options.model ?? {};
  if (vocabSize !== undefined)
    invalid('model.vocabSize', 'left out (it comes from the vocabulary)', vocabSize);
  if (numClasses !== undefined)
    invalid('model.numClasses', 'left out (it comes from dataset.labelNames)', numClasses);
  const seed = integer('seed', options.seed ?? trainDefaults.seed, 0, 0xffffffff);

  return {
    dataset,
    splits: options.splits,
    split: { seed, ...options.split },
    preset,
    pipeline,
    vocabulary: options.vocabulary ?? {},
    model: { ...modelPreset.model, seed, ...modelOverrides },
    batchSize: integer('batchSize', options.batchSize ?? trainDefaults.batchSize, 1, 65_536),
    epochs: integer('epochs', options.epochs ?? trainDefaults.epochs, 1, 100_000),
    learningRate: positive(
      'learningRate',
      options.learningRate ?? trainDefaults.learningRate,
      false,
    ),
    clipNorm: positive('clipNorm', options.clipNorm ?? trainDefaults.clipNorm, true),
    evalEvery: integer('evalEvery', options.evalEvery ?? trainDefaults.evalEvery, 0),
    patience: integer('patience', options.patience ?? trainDefaults.patience, 0),
    seed,
    outDir: options.outDir,
    resume: options.resume ?? false,
    signal: options.signal,
    backend: options.backend,
    onEvent: options.onEvent ?? (() => {}),
  };
}
