import { type PipelineConfig, resolvePipelineConfig } from './config';
import { LstmkitError } from './errors';
import { type EncodedBatch, writePadded } from './sequence';
import { TokenCounter } from './token-counter';
import { TokenPath } from './token-path';
import { TokenTable } from './token-table';
import { Vocabulary, type VocabularyJSON, type VocabularyOptions } from './vocabulary';

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

  /** Builds the vocabulary from `texts` (cleaned and tokenized with `config`). */
  static fit(
    texts: Iterable<string>,
    config: PipelineConfig,
    vocabulary?: VocabularyOptions,
  ): TextPipeline {
    const resolved = resolvePipelineConfig(config);
    const path = new TokenPath(resolved);
    const counter = new TokenCounter();
    for (const text of texts) {
      const n = path.scan(text);
      if (n >= 0) {
        const { text: cleaned, scanner } = path;
        for (let t = 0; t < n; t++) {
          counter.addRange(
            cleaned,
            scanner.bounds[2 * t] as number,
            scanner.bounds[2 * t + 1] as number,
          );
        }
      } else {
        counter.add(path.fallback);
      }
    }
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

  // Ids go straight into the output row: no token strings or id array on the fast path.
  private encodeInto(text: string, out: Int32Array, offset: number): void {
    const path = this.path;
    const n = path.scan(text);
    const sequence = this.config.sequence;
    if (n < 0) {
      const { fallback } = path;
      const vocabulary = this.vocabulary;
      writePadded(
        fallback.length,
        (i) => vocabulary.id(fallback[i] as string),
        sequence,
        out,
        offset,
      );
      return;
    }
    const ids = this.idTable();
    const { text: cleaned, scanner } = path;
    const bounds = scanner.bounds;
    // find() is -1 for an unknown token: -1 + 1 || 1 is the unk id.
    writePadded(
      n,
      (i) => ids.find(cleaned, bounds[2 * i] as number, bounds[2 * i + 1] as number) + 1 || 1,
      sequence,
      out,
      offset,
    );
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
