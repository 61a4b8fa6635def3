import { LstmkitError, type SplitOptions } from '@lstmkit/preprocess';

export interface RecordedSplit {
  options: SplitOptions;
  description: string;
}

function isFractions(value: unknown): value is [number, number, number] {
  return Array.isArray(value) && value.length === 3 && value.every((v) => typeof v === 'number');
}

/**
 * The split a bundle was trained with, so evaluate can recreate the same test set. Reads
 * `training.split` (`{source: 'seeded', seed, fractions, stratify}`, written by
 * @lstmkit/trainer; `{seed, fractions?}` in earlier bundles) and else, as bundles of 0.1.0
 * have no `split`, `training.seed` with the default fractions. Splits the caller gave the
 * trainer (`{source: 'given'}`) cannot be recreated. Datasets with their own split tags keep
 * them whatever the options.
 */
export function recordedSplit(training: Record<string, unknown> | undefined): RecordedSplit {
  const record = training?.split as Record<string, unknown> | undefined;
  if (record?.source === 'given') {
    throw new LstmkitError(
      'SPLIT_NOT_RECORDED',
      'the model was trained on splits given to the trainer, so its test set cannot be recreated',
      { hint: 'use --split all on held-out data' },
    );
  }
  const options: SplitOptions = {};
  const seed = typeof record?.seed === 'number' ? record.seed : training?.seed;
  if (typeof seed === 'number') options.seed = seed;
  if (isFractions(record?.fractions)) options.fractions = record.fractions;
  if (typeof record?.stratify === 'boolean') options.stratify = record.stratify;
  const parts: string[] = [];
  if (options.seed !== undefined) parts.push(`seed ${options.seed}`);
  if (options.fractions) parts.push(options.fractions.join('/'));
  return {
    options,
    description: parts.length > 0 ? `as in training: ${parts.join(', ')}` : 'default split',
  };
}
