import { resolve } from 'node:path';
import type { Arch, Head, ModelConfig } from '@lstmkit/model/config';
import type { VocabularyOptions } from '@lstmkit/preprocess';
import type { PresetName } from '@lstmkit/trainer/config';
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
  seed?: number;
  backend: BackendFlag;
  resume?: boolean;
  force?: boolean;
  json?: boolean;
}

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
  });
}
