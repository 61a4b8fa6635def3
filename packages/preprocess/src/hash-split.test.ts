import { describe, expect, it } from 'vitest';
import type { DatasetRecord } from './dataset-source';
import { hashSplit, splitOfRecord } from './hash-split';
import { createRng } from './random';

const rng = createRng(11);
const records: DatasetRecord[] = Array.from({ length: 10_000 }, (_, i) => ({
  text: `review ${i} ${Math.floor(rng() * 1e9).toString(36)}`,
  label: rng() < 0.5 ? 'neg' : 'pos',
}));
const fractions = [0.8, 0.1, 0.1] as const;

function shares(splits: string[]): Record<string, number> {
  const out: Record<string, number> = { train: 0, validation: 0, test: 0 };
  for (const s of splits) out[s] = (out[s] as number) + 1 / splits.length;
  return out;
}

describe('hashSplit', () => {
  it('is deterministic, keeps the fractions within 2 points, and depends on the seed', () => {
    const a = records.map((r) => hashSplit(r.text, r.label, 42, fractions));
    expect(records.map((r) => hashSplit(r.text, r.label, 42, fractions))).toEqual(a);
    const s = shares(a);
    expect(Math.abs((s.train as number) - 0.8)).toBeLessThan(0.02);
    expect(Math.abs((s.validation as number) - 0.1)).toBeLessThan(0.02);
    expect(Math.abs((s.test as number) - 0.1)).toBeLessThan(0.02);
    const other = records.map((r) => hashSplit(r.text, r.label, 43, fractions));
    const moved = other.filter((split, i) => split !== a[i]).length;
    // Two independent 0.8/0.1/0.1 draws differ with probability 1 - 0.66 = 0.34.
    expect(moved / records.length).toBeGreaterThan(0.25);
    const uneven = shares(records.map((r) => hashSplit(r.text, r.label, 7, [0.5, 0.2, 0.3])));
    expect(Math.abs((uneven.test as number) - 0.3)).toBeLessThan(0.02);
  });

  it('puts duplicates in the same split, and hashes the label too', () => {
    const text = 'the same review';
    const splits = new Set(Array.from({ length: 5 }, () => hashSplit(text, 'pos', 1, fractions)));
    expect(splits.size).toBe(1);
    const byLabel = records.filter(
      (r) => hashSplit(r.text, 'neg', 1, fractions) !== hashSplit(r.text, 'pos', 1, fractions),
    );
    expect(byLabel.length).toBeGreaterThan(1000);
  });

  it('validates seed and fractions like splitDataset', () => {
    expect(() => hashSplit('a', 'b', 1.5, fractions)).toThrow(/split.seed must be an integer/);
    expect(() => hashSplit('a', 'b', 1, [0.5, 0.1, 0.1])).toThrow(/must sum to 1/);
    expect(hashSplit('a', 'b', 1, [1, 0, 0])).toBe('train');
  });
});

describe('splitOfRecord', () => {
  it('hash-splits records without a split', () => {
    for (const r of records.slice(0, 500))
      expect(splitOfRecord(r, 3, fractions)).toBe(hashSplit(r.text, r.label, 3, fractions));
  });

  it("keeps a record's own split; train/test data gets validation carved from train only", () => {
    const own = records.map((r, i): DatasetRecord => ({ ...r, split: i % 2 ? 'train' : 'test' }));
    const splits = own.map((r) => splitOfRecord(r, 5, fractions));
    const test = own.filter((r) => r.split === 'test');
    expect(test.every((r) => splitOfRecord(r, 5, fractions) === 'test')).toBe(true);
    const fromTrain = splits.filter((_, i) => own[i]?.split === 'train');
    expect(fromTrain.includes('test')).toBe(false);
    // share = 0.1 / (0.8 + 0.1) of train becomes validation.
    expect(Math.abs((shares(fromTrain).validation as number) - 1 / 9)).toBeLessThan(0.02);
    expect(splitOfRecord({ text: 'x', label: 'y', split: 'validation' }, 5, fractions)).toBe(
      'validation',
    );
    // A dataset with its own validation split keeps train as train.
    expect(
      own.every((r) => r.split !== 'train' || splitOfRecord(r, 5, fractions, true) === 'train'),
    ).toBe(true);
  });
});
