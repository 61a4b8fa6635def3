import { describe, expect, it } from 'vitest';
import type { Example } from './dataset';
import { splitDataset } from './split';

const examples: Example[] = Array.from({ length: 100 }, (_, i) => ({
  text: `t${i}`,
  label: i < 70 ? 0 : 1,
}));
const count = (xs: Example[], label: number) => xs.filter((e) => e.label === label).length;

describe('splitDataset', () => {
  it('splits 0.8/0.1/0.1, stratified, covering every example once', () => {
    const s = splitDataset(examples, { seed: 1 });
    expect([s.train.length, s.validation.length, s.test.length]).toEqual([80, 10, 10]);
    expect([count(s.train, 1), count(s.validation, 1), count(s.test, 1)]).toEqual([24, 3, 3]);
    const all = [...s.train, ...s.validation, ...s.test].map((e) => e.text).sort();
    expect(all).toEqual(examples.map((e) => e.text).sort());
  });

  it('is deterministic for a seed and differs across seeds', () => {
    expect(splitDataset(examples, { seed: 5 })).toEqual(splitDataset(examples, { seed: 5 }));
    expect(splitDataset(examples, { seed: 5 }).test).not.toEqual(
      splitDataset(examples, { seed: 6 }).test,
    );
  });

  it('honours custom fractions without stratification', () => {
    const s = splitDataset(examples, { seed: 2, fractions: [0.5, 0.25, 0.25], stratify: false });
    expect([s.train.length, s.validation.length, s.test.length]).toEqual([50, 25, 25]);
  });

  it('keeps a given train/test split and carves validation out of train, stratified', () => {
    const given: Example[] = examples.map((e, i) => ({
      ...e,
      split: i % 2 === 0 ? 'train' : 'test',
    }));
    const s = splitDataset(given, { seed: 3 });
    expect(s.test.length).toBe(50);
    expect(s.test.every((e) => e.split === 'test')).toBe(true);
    expect([s.train.length, s.validation.length]).toEqual([44, 6]);
    expect([...s.train, ...s.validation].every((e) => e.split === 'train')).toBe(true);
    expect(count(s.validation, 1)).toBe(2);
  });

  it('keeps a given validation split as it is', () => {
    const given: Example[] = examples.map((e, i) => ({
      ...e,
      split: (['train', 'validation', 'test'] as const)[i % 3],
    }));
    const s = splitDataset(given);
    expect([s.train.length, s.validation.length, s.test.length]).toEqual([34, 33, 33]);
  });

  it('rejects bad options and a partial split', () => {
    expect(() => splitDataset(examples, { fractions: [0.8, 0.1, 0.2] })).toThrow(
      /split\.fractions must sum to 1/,
    );
    expect(() => splitDataset(examples, { fractions: [0, 0.5, 0.5] })).toThrow(
      /train split a share above 0/,
    );
    expect(() => splitDataset(examples, { seed: 1.5 })).toThrow(/split\.seed must be an integer/);
    const partial: Example[] = [
      { text: 'a', label: 0, split: 'train' },
      { text: 'b', label: 1 },
    ];
    expect(() => splitDataset(partial)).toThrow(
      /examples\[1\] has no split while 1 of 2 examples have one/,
    );
  });
});
