import { LstmkitError, splitDefaults } from '@lstmkit/preprocess';
import type { SplitRecord } from '@lstmkit/trainer/config';

export interface RecordedSplit {
  split: SplitRecord;
  description: string;
}

function isFractions(value: unknown): value is [number, number, number] {
  return Array.isArray(value) && value.length === 3 && value.every((v) => typeof v === 'number');
}

/**
 * The split a bundle was trained with, so evaluate can recreate the same test set. Reads
 * `training.split` as @lstmkit/trainer writes it: `{source: 'hashed', seed, fractions}`, or
 * `{source: 'seeded', seed, fractions, stratify}` (0.1's in-memory shuffle; 0.1.0 bundles have
 * no `split`, only `training.seed`, with the default fractions). Splits the caller gave the
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
  const recordedSeed = typeof record?.seed === 'number' ? record.seed : training?.seed;
  const seed = typeof recordedSeed === 'number' ? recordedSeed : undefined;
  const fractions = isFractions(record?.fractions) ? record.fractions : undefined;
  const parts: string[] = [];
  if (seed !== undefined) parts.push(`seed ${seed}`);
  if (fractions) parts.push(fractions.join('/'));
  const description = parts.length > 0 ? `as in training: ${parts.join(', ')}` : 'default split';
  const resolved = {
    seed: seed ?? splitDefaults.seed,
    fractions: fractions ?? ([...splitDefaults.fractions] as [number, number, number]),
  };
  if (record?.source === 'hashed') return { split: { source: 'hashed', ...resolved }, description };
  const stratify = typeof record?.stratify === 'boolean' ? record.stratify : splitDefaults.stratify;
  return { split: { source: 'seeded', ...resolved, stratify }, description };
}
