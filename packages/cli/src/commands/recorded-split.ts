import type { SplitOptions } from '@lstmkit/preprocess';

export interface RecordedSplit {
  options: SplitOptions;
  description: string;
}

function isFractions(value: unknown): value is [number, number, number] {
  return Array.isArray(value) && value.length === 3 && value.every((v) => typeof v === 'number');
}

/**
 * The split a bundle was trained with (`training.split: { seed, fractions, stratify }`, written
 * by @lstmkit/trainer), so evaluate can recreate the same test set; datasets with their own
 * split tags keep them whatever the options.
 */
export function recordedSplit(training: Record<string, unknown> | undefined): RecordedSplit {
  const record = (training?.split ?? {}) as Record<string, unknown>;
  const options: SplitOptions = {};
  if (typeof record.seed === 'number') options.seed = record.seed;
  if (isFractions(record.fractions)) options.fractions = record.fractions;
  if (typeof record.stratify === 'boolean') options.stratify = record.stratify;
  const parts: string[] = [];
  if (options.seed !== undefined) parts.push(`seed ${options.seed}`);
  if (options.fractions) parts.push(options.fractions.join('/'));
  return {
    options,
    description: parts.length > 0 ? `as in training: ${parts.join(', ')}` : 'default split',
  };
}
