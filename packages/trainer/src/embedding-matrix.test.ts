import { Vocabulary } from '@lstmkit/preprocess';
import { describe, expect, it } from 'vitest';
import { buildEmbeddingMatrix, keepCoveredWords } from './embedding-matrix.js';

const vocabulary = Vocabulary.fromCounts([
  ['good', 5],
  ['movie', 4],
  ['zzz', 3],
  ['meh', 1],
]);
const vectors = new Map([
  ['good', Float32Array.from([1, -1])],
  ['movie', Float32Array.from([0.5, -0.5])],
  ['unused', Float32Array.from([9, 9])],
]);

describe('buildEmbeddingMatrix', () => {
  it('copies found rows, zeroes <pad>, draws the rest seeded with the found variance', () => {
    const m = buildEmbeddingMatrix(vocabulary, vectors, 2, 7);
    const row = (id: number) => Array.from(m.values.subarray(id * 2, id * 2 + 2));
    expect(row(0)).toEqual([0, 0]);
    expect(row(vocabulary.id('good'))).toEqual([1, -1]);
    expect(row(vocabulary.id('movie'))).toEqual([0.5, -0.5]);
    // found values 1, -1, .5, -.5: variance .625, uniform bound sqrt(3 * .625)
    const bound = Math.sqrt(1.875);
    for (const id of [1, vocabulary.id('zzz'), vocabulary.id('meh')]) {
      for (const v of row(id)) {
        expect(Math.abs(v)).toBeLessThanOrEqual(bound);
        expect(v).not.toBe(0);
      }
    }
    expect(buildEmbeddingMatrix(vocabulary, vectors, 2, 7).values).toEqual(m.values);
    expect(buildEmbeddingMatrix(vocabulary, vectors, 2, 8).values).not.toEqual(m.values);
    expect(m.coverage).toEqual({
      words: 4,
      found: 2,
      missing: 2,
      tokenCoverage: 9 / 13,
      topMissing: [
        { word: 'zzz', count: 3 },
        { word: 'meh', count: 1 },
      ],
    });
  });

  it('keepCoveredWords drops rare words the file lacks, keeping id order', () => {
    const kept = keepCoveredWords(vocabulary, vectors, 2);
    expect(kept.toJSON().tokens).toEqual(['<pad>', '<unk>', 'good', 'movie', 'zzz']);
    expect(kept.toJSON().counts).toEqual([0, 1, 5, 4, 3]);
  });
});
