import {
  createRng,
  type Dataset,
  type DatasetSplits,
  type Example,
  splitOfRecord,
} from '@lstmkit/preprocess';
import type { TrainOptions } from '../types.js';

const POSITIVE = ['great', 'good', 'love', 'excellent', 'nice', 'happy', 'fine', 'wonderful'];
const NEGATIVE = ['bad', 'awful', 'hate', 'poor', 'terrible', 'sad', 'broken', 'worst'];
const NEUTRAL = [
  'the',
  'a',
  'it',
  'is',
  'was',
  'phone',
  'food',
  'movie',
  'and',
  'this',
  'very',
  'so',
];

/**
 * Sentences of 2-12 words: neutral filler plus two sentiment words that decide the label
 * (`noise` mislabels that fraction, so a model cannot be perfect when wanted).
 */
export function separableDataset(count: number, seed: number, noise = 0): Dataset {
  const rng = createRng(seed);
  const pick = (words: readonly string[]) => words[Math.floor(rng() * words.length)]!;
  const examples: Example[] = [];
  for (let i = 0; i < count; i++) {
    const label = i % 2;
    const words = Array.from({ length: 2 + Math.floor(rng() * 9) }, () => pick(NEUTRAL));
    for (let k = 0; k < 2; k++) {
      words.splice(Math.floor(rng() * (words.length + 1)), 0, pick(label ? POSITIVE : NEGATIVE));
    }
    const flipped = rng() < noise ? 1 - label : label;
    examples.push({ text: words.join(' '), label: flipped });
  }
  return { name: 'separable', examples, labelNames: ['negative', 'positive'], skipped: [] };
}

/** Labels unrelated to the text: validation loss cannot improve for long. */
export function randomLabelDataset(count: number, seed: number): Dataset {
  const rng = createRng(seed + 1);
  const base = separableDataset(count, seed);
  return {
    ...base,
    examples: base.examples.map((e) => ({ text: e.text, label: rng() < 0.5 ? 0 : 1 })),
  };
}

/** A tiny, fast model for tests. */
export const tinyModel = {
  embeddingDim: 8,
  hiddenSize: 8,
  layers: 1,
  arch: 'lstm',
  head: 'last',
  dropout: 0,
  recurrentDropout: 0,
  recurrentInitializer: 'glorotUniform',
} as const;

/** A run of the tiny model on separable data that trains in well under a second. */
export function tinyRunOptions(
  outDir: string,
  overrides: Partial<TrainOptions> = {},
): TrainOptions {
  return {
    dataset: separableDataset(400, 1),
    preset: 'textbook',
    pipeline: { sequence: { length: 16, padding: 'pre', truncating: 'post' } },
    model: tinyModel,
    epochs: 3,
    learningRate: 0.02,
    seed: 7,
    outDir,
    ...overrides,
  };
}

/** The splits a run with `seed` makes of `dataset` (the trainer's hashed split). */
export function hashedSplits(
  dataset: Dataset,
  seed = 7,
  fractions: [number, number, number] = [0.8, 0.1, 0.1],
): DatasetSplits {
  const splits: DatasetSplits = { train: [], validation: [], test: [] };
  for (const example of dataset.examples) {
    const record = { text: example.text, label: dataset.labelNames[example.label]! };
    splits[
      splitOfRecord({ ...record, ...(example.split && { split: example.split }) }, seed, fractions)
    ].push(example);
  }
  return splits;
}
