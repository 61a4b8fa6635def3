import type { BackendName } from '@lstmkit/model';
import { type Dataset, type DatasetSplits, LstmkitError } from '@lstmkit/preprocess';
import { type RunConfig, resolveRunConfig } from './config.js';
import type { TrainEvent, TrainOptions } from './types.js';

/** A run's inputs besides its configuration, checked, and its configuration resolved. */
export interface ResolvedTrainOptions {
  dataset: Dataset;
  splits: DatasetSplits | undefined;
  config: RunConfig;
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

/** Apply defaults and validate once; the error names the bad field and its limit. */
export function resolveTrainOptions(options: TrainOptions): ResolvedTrainOptions {
  if (options === null || typeof options !== 'object') invalid('options', 'an object', options);
  const { dataset, splits, outDir, resume, signal, backend, onEvent, ...overrides } = options;
  if (!dataset || !Array.isArray(dataset.examples) || !Array.isArray(dataset.labelNames)) {
    invalid('dataset', 'a Dataset with examples and labelNames', typeof dataset);
  }
  if (dataset.labelNames.length < 2) {
    invalid('dataset.labelNames', 'at least 2 labels', dataset.labelNames);
  }
  if (typeof outDir !== 'string' || outDir.length === 0) {
    invalid('outDir', 'a non-empty directory path', outDir);
  }
  return {
    dataset,
    splits,
    config: resolveRunConfig({ ...overrides, givenSplits: splits !== undefined }),
    outDir,
    resume: resume ?? false,
    signal,
    backend,
    onEvent: onEvent ?? (() => {}),
  };
}
