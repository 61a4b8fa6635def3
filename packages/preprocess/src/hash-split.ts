import type { DatasetRecord } from './dataset-source';
import { LstmkitError } from './errors';
import { resolveFractions } from './split';

export type SplitName = 'train' | 'validation' | 'test';

/**
 * A record's place in [0, 1): FNV-1a over the UTF-16 code units of text and label (a separator
 * between them) with the seed mixed into the offset basis, then murmur3's fmix32 so nearby
 * inputs spread over the whole range.
 */
function hashUnit(text: string, label: string, seed: number): number {
  let h = 0x811c9dc5 ^ Math.imul(seed, 0x9e3779b1);
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ 0x1f, 0x01000193);
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

function checkSeed(seed: number): void {
  if (!Number.isInteger(seed))
    throw new LstmkitError(
      'INVALID_SPLIT_OPTIONS',
      `split.seed must be an integer (got ${JSON.stringify(seed)})`,
    );
}

/**
 * Stable split of a record by a seeded 32-bit hash of its text and label (duplicates land in the
 * same split), by fractions [train, validation, test]: no split needs the data in memory.
 */
export function hashSplit(
  text: string,
  label: string,
  seed: number,
  fractions: readonly [number, number, number],
): SplitName {
  checkSeed(seed);
  const [train, validation] = resolveFractions(fractions);
  const u = hashUnit(text, label, seed);
  return u < train ? 'train' : u < train + validation ? 'validation' : 'test';
}

/**
 * A record with its own split keeps it; a dataset split train/test only (imdb-50k) has
 * validation carved out of train, share validation/(train+validation), by the same hash. Pass
 * `givenValidation` when the dataset has its own validation records: train then stays train.
 */
export function splitOfRecord(
  record: DatasetRecord,
  seed: number,
  fractions: readonly [number, number, number],
  givenValidation = false,
): SplitName {
  const { split } = record;
  if (split === undefined) return hashSplit(record.text, record.label, seed, fractions);
  if (split !== 'train' || givenValidation) return split;
  checkSeed(seed);
  const [train, validation] = resolveFractions(fractions);
  const share = validation / (train + validation);
  return hashUnit(record.text, record.label, seed) < share ? 'validation' : 'train';
}
