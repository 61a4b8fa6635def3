import { type Cleaner, compileCleaner } from './clean';
import { type PipelineConfig, resolvePipelineConfig } from './config';
import { LstmkitError } from './errors';
import { type EncodedBatch, writePadded } from './sequence';
import { compileTokenizer, type Tokenizer } from './tokenize';
import {
  TokenCounter,
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
 */
export class TextPipeline {
  readonly config: PipelineConfig;
  readonly vocabulary: Vocabulary;
  private readonly clean: Cleaner;
  private readonly split: Tokenizer;

  constructor(config: PipelineConfig, vocabulary: Vocabulary) {
    this.config = resolvePipelineConfig(config);
    this.vocabulary = vocabulary;
    this.clean = compileCleaner(this.config.clean, { forTokenizer: true });
    this.split = compileTokenizer(this.config.tokenizer);
  }

  /** Builds the vocabulary from `texts` (cleaned and tokenized with `config`). */
  static fit(
    texts: Iterable<string>,
    config: PipelineConfig,
    vocabulary?: VocabularyOptions,
  ): TextPipeline {
    const resolved = resolvePipelineConfig(config);
    const clean = compileCleaner(resolved.clean, { forTokenizer: true });
    const split = compileTokenizer(resolved.tokenizer);
    const counter = new TokenCounter();
    for (const text of texts) counter.add(split(clean(text)));
    return new TextPipeline(resolved, Vocabulary.fromCounts(counter.entries(), vocabulary));
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
    return this.split(this.clean(text));
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

  // Token ids go straight into the output row: no intermediate id array per text.
  private encodeInto(text: string, out: Int32Array, offset: number): void {
    const tokens = this.tokens(text);
    const vocabulary = this.vocabulary;
    writePadded(
      tokens.length,
      (i) => vocabulary.id(tokens[i] as string),
      this.config.sequence,
      out,
      offset,
    );
  }
}
