import { type PipelineConfig, resolvePipelineConfig } from './config';
import { LstmkitError } from './errors';
import { type EncodedBatch, writePadded } from './sequence';
import { type PruneStats, TokenCounter } from './token-counter';
import { TokenPath } from './token-path';
import { TokenTable } from './token-table';
import {
  resolveVocabularyOptions,
  Vocabulary,
  type VocabularyJSON,
  type VocabularyOptions,
} from './vocabulary';

export interface PipelineJSON {
  formatVersion: 1;
  config: PipelineConfig;
  vocabulary: VocabularyJSON;
}

/**
 * The whole text-to-ids path as plain data. Training and serving both run this object (saved
 * with `toJSON`, restored with `fromJSON`), so a served model sees exactly what it was trained on.
 *
 * `fit` and `encode` take a fast path for ASCII text: token boundaries are found without
 * creating strings and looked up in an intern table; other text goes through the tokenizer
 * regexes. Both give the same tokens (tested), so the path never changes a result.
 */
export class TextPipeline {
  readonly config: PipelineConfig;
  readonly vocabulary: Vocabulary;
  private readonly path: TokenPath;
  // Vocabulary tokens from id 1 (unk) on, so table index i is id i + 1; built on first encode.
  private ids: TokenTable | undefined;

  constructor(config: PipelineConfig, vocabulary: Vocabulary) {
    this.config = resolvePipelineConfig(config);
    this.vocabulary = vocabulary;
    this.path = new TokenPath(this.config);
  }

  /** Builds the vocabulary from `texts` (cleaned and tokenized with `config`): a loop over `PipelineFitter`. */
  static fit(
    texts: Iterable<string>,
    config: PipelineConfig,
    vocabulary?: VocabularyOptions,
  ): TextPipeline {
    const fitter = new PipelineFitter(config, vocabulary);
    for (const text of texts) fitter.add(text);
    return fitter.finish();
  }

  static fromJSON(json: PipelineJSON): TextPipeline {
    if (typeof json !== 'object' || json === null) {
      throw new LstmkitError('INVALID_PIPELINE_JSON', 'pipeline JSON must be an object');
    }
    if (json.formatVersion !== 1) {
      throw new LstmkitError(
        'INVALID_PIPELINE_JSON',
        `pipeline.formatVersion must be 1 (got ${JSON.stringify(json.formatVersion)}); this version reads format 1 only`,
      );
    }
    return new TextPipeline(json.config, Vocabulary.fromJSON(json.vocabulary));
  }

  /** Clean + tokenize. */
  tokens(text: string): string[] {
    return this.path.tokens(text);
  }

  encode(text: string): Int32Array {
    const out = new Int32Array(this.config.sequence.length);
    this.encodeInto(text, out, 0);
    return out;
  }

  encodeBatch(texts: readonly string[]): EncodedBatch {
    const { length } = this.config.sequence;
    const data = new Int32Array(texts.length * length);
    for (let i = 0; i < texts.length; i++) this.encodeInto(texts[i] as string, data, i * length);
    return { data, shape: [texts.length, length] };
  }

  toJSON(): PipelineJSON {
    return { formatVersion: 1, config: this.config, vocabulary: this.vocabulary.toJSON() };
  }

  /**
   * The ids of the real tokens of `text` after truncation (per `sequence.truncating`), no
   * padding: at most `sequence.length` ids. `padIds` makes the padded row of them.
   */
  encodeIds(text: string): Int32Array {
    const { length, truncating } = this.config.sequence;
    const count = this.scanIds(text);
    const ids = new Int32Array(Math.min(count, length));
    writePadded(count, this.idAt, { length: ids.length, padding: 'post', truncating }, ids, 0);
    return ids;
  }

  /**
   * The full padded row (padding side per config) of ids from `encodeIds`, written into
   * `out[offset .. offset + sequence.length)`, which must hold the pad id (0) already.
   */
  padIds(ids: ArrayLike<number>, out: Int32Array, offset: number): void {
    writePadded(ids.length, (i) => ids[i] as number, this.config.sequence, out, offset);
  }

  // Ids go straight into the output row: no token strings or id array on the fast path.
  private encodeInto(text: string, out: Int32Array, offset: number): void {
    writePadded(this.scanIds(text), this.idAt, this.config.sequence, out, offset);
  }

  // After scanIds(text) returned n, idAt(i) is the id of token i (0 <= i < n).
  private idAt: (index: number) => number = () => 1;

  private scanIds(text: string): number {
    const path = this.path;
    const n = path.scan(text);
    if (n < 0) {
      const { fallback } = path;
      const vocabulary = this.vocabulary;
      this.idAt = (i) => vocabulary.id(fallback[i] as string);
      return fallback.length;
    }
    const ids = this.idTable();
    const { text: cleaned, scanner } = path;
    const bounds = scanner.bounds;
    // find() is -1 for an unknown token: -1 + 1 || 1 is the unk id.
    this.idAt = (i) =>
      ids.find(cleaned, bounds[2 * i] as number, bounds[2 * i + 1] as number) + 1 || 1;
    return n;
  }

  private idTable(): TokenTable {
    if (this.ids === undefined) {
      const table = new TokenTable();
      for (let id = 1; id < this.vocabulary.size; id++) {
        const token = this.vocabulary.token(id);
        table.intern(token, 0, token.length);
      }
      this.ids = table;
    }
    return this.ids;
  }
}

export interface FitLimits {
  /** Distinct tokens the count table holds before pruning the rarest (default 2,000,000). */
  maxDistinctTokens?: number;
}

export const DEFAULT_MAX_DISTINCT_TOKENS = 2_000_000;

/**
 * Fits a pipeline's vocabulary one text at a time with a bounded count table: past
 * `maxDistinctTokens` distinct tokens the rarest are dropped as fastText does (see `pruned`),
 * so a corpus of any size fits in bounded memory. Under the cap the result equals fitting on
 * all texts at once.
 */
export class PipelineFitter {
  readonly config: PipelineConfig;
  private readonly vocabularyOptions: VocabularyOptions;
  private readonly path: TokenPath;
  private readonly counter: TokenCounter;

  constructor(config: PipelineConfig, vocabulary: VocabularyOptions = {}, limits: FitLimits = {}) {
    this.config = resolvePipelineConfig(config);
    resolveVocabularyOptions(vocabulary);
    this.vocabularyOptions = { ...vocabulary };
    const max = limits.maxDistinctTokens ?? DEFAULT_MAX_DISTINCT_TOKENS;
    if (!Number.isInteger(max) || max < 1) {
      throw new LstmkitError(
        'INVALID_VOCABULARY_OPTIONS',
        `maxDistinctTokens must be an integer >= 1 (got ${JSON.stringify(max)})`,
      );
    }
    this.path = new TokenPath(this.config);
    this.counter = new TokenCounter(max);
  }

  /** Counts the tokens of `text`; returns how many it has (its length before truncation). */
  add(text: string): number {
    const { path, counter } = this;
    const n = path.scan(text);
    if (n < 0) {
      counter.add(path.fallback);
      return path.fallback.length;
    }
    const { text: cleaned, scanner } = path;
    const bounds = scanner.bounds;
    for (let t = 0; t < n; t++)
      counter.addRange(cleaned, bounds[2 * t] as number, bounds[2 * t + 1] as number);
    return n;
  }

  /** Distinct tokens dropped by pruning so far (0 for data under the cap), and the count threshold reached. */
  get pruned(): Readonly<PruneStats> {
    return { ...this.counter.pruned };
  }

  /** Distinct tokens the count table holds now (at most `maxDistinctTokens`). */
  get distinctTokens(): number {
    return this.counter.size;
  }

  /** `[token, count]` of every token held, e.g. for `Vocabulary.fromCounts` with other options. */
  counts(): [string, number][] {
    return this.counter.entries();
  }

  finish(): TextPipeline {
    return new TextPipeline(
      this.config,
      Vocabulary.fromCounts(this.counter.entries(), this.vocabularyOptions),
    );
  }
}
