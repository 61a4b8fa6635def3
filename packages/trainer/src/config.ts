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
  sequenceLength: { min: 1, max: MAX_SEQUENCE_LENGTH },
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
} as const;

/** Overrides on the preset's pipeline: `clean` and `sequence` merge field by field. */
export interface PipelineOverrides {
  clean?: CleanConfig;
  tokenizer?: TokenizerConfig;
  sequence?: Partial<SequenceConfig>;
}

/** How the run's splits were made, so `evaluate` can recreate the test set (or say it cannot). */
export type SplitRecord =
  | {
      source: 'seeded';
      seed: number;
      fractions: [train: number, validation: number, test: number];
      stratify: boolean;
    }
  | { source: 'given' };

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
  /** How to split the dataset (default: seeded by `seed`, `splitDefaults` otherwise). */
  split?: SplitOptions;
  /** The caller brings its own splits: recorded as `{ source: 'given' }`. */
  givenSplits?: boolean;
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
        source: 'seeded',
        seed: overrides.split?.seed ?? seed,
        fractions: [...(overrides.split?.fractions ?? splitDefaults.fractions)] as [
          number,
          number,
          number,
        ],
        stratify: overrides.split?.stratify ?? splitDefaults.stratify,
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
  };
}

/** The options `splitDataset` recreates a seeded run's splits with. */
export function splitOptionsOf(record: SplitRecord): SplitOptions | undefined {
  if (record.source === 'given') return undefined;
  return { seed: record.seed, fractions: record.fractions, stratify: record.stratify };
}
