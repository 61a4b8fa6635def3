import type { Example } from './dataset';
import { LstmkitError } from './errors';
import { createRng, shuffleInPlace } from './random';

export interface SplitOptions {
  /** Default 42. */
  seed?: number;
  /** Default [0.8, 0.1, 0.1]. */
  fractions?: [train: number, validation: number, test: number];
  /** Keep each label's share equal across splits (default true). */
  stratify?: boolean;
}

export interface DatasetSplits {
  train: Example[];
  validation: Example[];
  test: Example[];
}

/** What `splitDataset` uses for options left out. */
export const splitDefaults: {
  readonly seed: number;
  readonly fractions: readonly [train: number, validation: number, test: number];
  readonly stratify: boolean;
} = Object.freeze({ seed: 42, fractions: Object.freeze([0.8, 0.1, 0.1] as const), stratify: true });

function invalid(field: string, message: string): never {
  throw new LstmkitError('INVALID_SPLIT_OPTIONS', `split.${field} ${message}`);
}

export function resolveFractions(fractions: unknown): [number, number, number] {
  if (fractions === undefined) return [...splitDefaults.fractions];
  if (!Array.isArray(fractions) || fractions.length !== 3) {
    invalid('fractions', `must be [train, validation, test] (got ${JSON.stringify(fractions)})`);
  }
  const [train, validation, test] = fractions as number[];
  for (const f of fractions) {
    if (typeof f !== 'number' || !(f >= 0 && f <= 1)) {
      invalid('fractions', `must hold numbers from 0 to 1 (got ${JSON.stringify(fractions)})`);
    }
  }
  if (Math.abs((train as number) + (validation as number) + (test as number) - 1) > 1e-6) {
    invalid('fractions', `must sum to 1 (got ${JSON.stringify(fractions)})`);
  }
  if (train === 0) invalid('fractions', 'must give the train split a share above 0');
  return [train as number, validation as number, test as number];
}

/** Splits `items` into parts by `fractions` (rounded per group), each group shuffled with `rng`. */
function cut(
  items: readonly Example[],
  fractions: readonly number[],
  stratify: boolean,
  rng: () => number,
): Example[][] {
  const groups = new Map<number, Example[]>();
  if (stratify) {
    for (const example of items) {
      const group = groups.get(example.label);
      if (group) group.push(example);
      else groups.set(example.label, [example]);
    }
  } else {
    groups.set(0, [...items]);
  }
  const parts: Example[][] = fractions.map(() => []);
  // Sorted labels: the result must not depend on which label happens to come first.
  for (const label of [...groups.keys()].sort((a, b) => a - b)) {
    const group = shuffleInPlace(groups.get(label) as Example[], rng);
    let start = 0;
    fractions.forEach((fraction, i) => {
      const end =
        i === fractions.length - 1
          ? group.length
          : Math.min(group.length, start + Math.round(group.length * fraction));
      for (let j = start; j < end; j++) (parts[i] as Example[]).push(group[j] as Example);
      start = end;
    });
  }
  // Interleave labels so no split is sorted by label.
  for (const part of parts) shuffleInPlace(part, rng);
  return parts;
}

/**
 * Seeded, by default stratified, train/validation/test split. When examples carry `split`
 * (imdb-50k), those are kept: train and test as given, validation as given or else carved out of
 * train with fraction validation/(train+validation).
 */
export function splitDataset(
  examples: readonly Example[],
  options: SplitOptions = {},
): DatasetSplits {
  const seed = options.seed ?? splitDefaults.seed;
  if (!Number.isInteger(seed)) invalid('seed', `must be an integer (got ${JSON.stringify(seed)})`);
  const fractions = resolveFractions(options.fractions);
  const stratify = options.stratify ?? splitDefaults.stratify;
  const rng = createRng(seed);

  const withSplit = examples.filter((e) => e.split !== undefined).length;
  if (withSplit === 0) {
    const [train, validation, test] = cut(examples, fractions, stratify, rng) as [
      Example[],
      Example[],
      Example[],
    ];
    return { train, validation, test };
  }
  if (withSplit !== examples.length) {
    const index = examples.findIndex((e) => e.split === undefined);
    throw new LstmkitError(
      'INVALID_DATASET_SPLIT',
      `examples[${index}] has no split while ${withSplit} of ${examples.length} examples have one; give all or none a split`,
    );
  }
  const given: DatasetSplits = { train: [], validation: [], test: [] };
  for (const e of examples) given[e.split as keyof DatasetSplits].push(e);
  if (given.validation.length > 0) {
    for (const part of Object.values(given)) shuffleInPlace(part, rng);
    return given;
  }
  const [train, validation] = fractions;
  const share = validation / (train + validation);
  const [keep, carved] = cut(given.train, [1 - share, share], stratify, rng) as [
    Example[],
    Example[],
  ];
  return { train: keep, validation: carved, test: shuffleInPlace(given.test, rng) };
}
