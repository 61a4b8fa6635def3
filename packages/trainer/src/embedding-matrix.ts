import { createRng, Vocabulary } from '@lstmkit/preprocess';

/** How much of a vocabulary a word-vector file covers; in the run's start event and report. */
export interface EmbeddingCoverage {
  /** Vocabulary words (`<pad>` and `<unk>` excluded). */
  words: number;
  /** Of those, words the file has a vector for. */
  found: number;
  missing: number;
  /** Share of the training split's token occurrences (of vocabulary words) the file covers. */
  tokenCoverage: number;
  /** The most frequent missing words with their training counts, most frequent first. */
  topMissing: { word: string; count: number }[];
}

export interface EmbeddingMatrix {
  /** Row-major [vocabulary.size, dimensions]: row id is the vector of token id. */
  values: Float32Array;
  dimensions: number;
  coverage: EmbeddingCoverage;
}

const TOP_MISSING = 20;
/** The init of createModel's embedding, for when the file covers no word at all. */
const FALLBACK_SCALE = 0.05;

/**
 * The initial embedding for `vocabulary`: the file's vector for each word it has, `<pad>` zero
 * (it is masked), and for `<unk>` and every missing word a seeded uniform draw whose variance
 * equals that of the found vectors' values, so new rows neither dominate nor vanish.
 */
export function buildEmbeddingMatrix(
  vocabulary: Vocabulary,
  vectors: ReadonlyMap<string, Float32Array>,
  dimensions: number,
  seed: number,
): EmbeddingMatrix {
  const { tokens, counts } = vocabulary.toJSON();
  const values = new Float32Array(tokens.length * dimensions);
  const missingIds: number[] = [];
  let sum = 0;
  let sumSquares = 0;
  let foundValues = 0;
  let foundTokens = 0;
  let allTokens = 0;
  for (let id = 2; id < tokens.length; id++) {
    const count = counts?.[id] ?? 0;
    allTokens += count;
    const vector = vectors.get(tokens[id]!);
    if (!vector) {
      missingIds.push(id);
      continue;
    }
    foundTokens += count;
    values.set(vector, id * dimensions);
    for (const v of vector) {
      sum += v;
      sumSquares += v * v;
    }
    foundValues += vector.length;
  }
  const mean = foundValues === 0 ? 0 : sum / foundValues;
  const variance = foundValues === 0 ? 0 : sumSquares / foundValues - mean * mean;
  // Uniform on [-a, a] has variance a^2 / 3.
  const scale = variance > 0 ? Math.sqrt(3 * variance) : FALLBACK_SCALE;
  const rng = createRng(seed);
  for (const id of [vocabulary.unkId, ...missingIds]) {
    for (let d = 0; d < dimensions; d++) values[id * dimensions + d] = (2 * rng() - 1) * scale;
  }
  const topMissing = missingIds
    .map((id) => ({ word: tokens[id]!, count: counts?.[id] ?? 0 }))
    .sort((a, b) => b.count - a.count)
    .slice(0, TOP_MISSING);
  const words = tokens.length - 2;
  return {
    values,
    dimensions,
    coverage: {
      words,
      found: words - missingIds.length,
      missing: missingIds.length,
      tokenCoverage: allTokens === 0 ? 0 : foundTokens / allTokens,
      topMissing,
    },
  };
}

/**
 * The vocabulary without the words the file lacks, unless seen at least `minCount` times in
 * training: rare words without a pretrained vector carry little but noise. Ids keep their
 * frequency order; dropped words' counts move to `<unk>`.
 */
export function keepCoveredWords(
  vocabulary: Vocabulary,
  vectors: ReadonlyMap<string, Float32Array>,
  minCount: number,
): Vocabulary {
  const json = vocabulary.toJSON();
  const counts = json.counts ?? json.tokens.map(() => 0);
  const tokens = json.tokens.slice(0, 2);
  const kept = counts.slice(0, 2);
  for (let id = 2; id < json.tokens.length; id++) {
    const token = json.tokens[id]!;
    if (vectors.has(token) || counts[id]! >= minCount) {
      tokens.push(token);
      kept.push(counts[id]!);
    } else {
      kept[1]! += counts[id]!;
    }
  }
  return Vocabulary.fromJSON({ ...json, tokens, counts: kept });
}
