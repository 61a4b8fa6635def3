import type { BackendName } from '@lstmkit/model';
import {
  type Dataset,
  type DatasetSource,
  type DatasetSplits,
  datasetSource,
  LstmkitError,
} from '@lstmkit/preprocess';
import { type RunConfig, resolveRunConfig } from './config.js';
import type { TrainEvent, TrainOptions } from './types.js';

/** A run's inputs besides its configuration, checked, and its configuration resolved. */
export interface ResolvedTrainOptions {
  /** The data as a source, in memory or streamed; given splits are tags on its records. */
  source: DatasetSource;
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
  const source = sourceOf(dataset, splits);
  if (typeof outDir !== 'string' || outDir.length === 0) {
    invalid('outDir', 'a non-empty directory path', outDir);
  }
  const config = resolveRunConfig({ ...overrides, givenSplits: splits !== undefined });
  // Labels known before reading (named datasets, in memory) fail here, before any pass.
  if (source.labelNames) checkThreshold(overrides.threshold, source.labelNames.length);
  return {
    source,
    config,
    outDir,
    resume: resume ?? false,
    signal,
    backend,
    onEvent: onEvent ?? (() => {}),
  };
}

/** A threshold decides binary models only. */
export function checkThreshold(threshold: TrainOptions['threshold'], numClasses: number): void {
  if (threshold !== undefined && numClasses !== 2) {
    invalid(
      'threshold',
      `left out for ${numClasses} classes (it decides binary models only)`,
      threshold,
    );
  }
}

function isSource(dataset: Dataset | DatasetSource): dataset is DatasetSource {
  return typeof (dataset as DatasetSource).records === 'function';
}

/** A Dataset becomes a source in memory; splits the caller gives become its records' tags. */
function sourceOf(
  dataset: Dataset | DatasetSource,
  splits: DatasetSplits | undefined,
): DatasetSource {
  if (dataset && typeof dataset === 'object' && isSource(dataset)) {
    if (splits !== undefined) invalid('splits', 'left out with a DatasetSource', 'splits');
    return dataset;
  }
  if (!dataset || !Array.isArray(dataset.examples) || !Array.isArray(dataset.labelNames)) {
    invalid(
      'dataset',
      'a Dataset with examples and labelNames, or a DatasetSource',
      typeof dataset,
    );
  }
  if (dataset.labelNames.length < 2) {
    invalid('dataset.labelNames', 'at least 2 labels', dataset.labelNames);
  }
  if (splits === undefined) return datasetSource(dataset);
  const tagged = (['train', 'validation', 'test'] as const).flatMap((split) =>
    splits[split].map((example) => ({ ...example, split })),
  );
  return datasetSource({ ...dataset, examples: tagged });
}
