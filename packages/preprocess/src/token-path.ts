import { type Cleaner, compileCleaner, compileSplitPunctuation } from './clean';
import type { PipelineConfig } from './config';
import { TokenScanner } from './token-scanner';
import { compileTokenizer, type Tokenizer } from './tokenize';

const identity: Cleaner = (text) => text;

/**
 * Clean + tokenize for a pipeline, two ways that give the same tokens (tested): `tokens()`
 * through the regexes, and `scan()`, which on ASCII text finds token boundaries without
 * creating strings and, when it can, splits punctuation in the same pass.
 */
export class TokenPath {
  /** After `scan` returned n >= 0: the cleaned text the boundaries refer to. */
  text = '';
  /** After `scan` returned -1: the tokens, from the regexes. */
  fallback: string[] = [];
  readonly scanner: TokenScanner;
  private readonly clean: Cleaner;
  /** Punctuation splitting when the scanner does it instead of the cleaner. */
  private readonly split: Cleaner;
  private readonly tokenize: Tokenizer;

  /** `config` must be resolved (`resolvePipelineConfig`). */
  constructor(config: PipelineConfig) {
    const urlToken = config.clean.urls ?? false;
    const fuse =
      config.clean.punctuation === 'split' &&
      TokenScanner.canFuse({ splitPunctuation: { urlToken } });
    this.clean = compileCleaner(config.clean, { forTokenizer: true, deferSplit: fuse });
    this.split = fuse ? compileSplitPunctuation(urlToken) : identity;
    this.tokenize = compileTokenizer(config.tokenizer);
    this.scanner = new TokenScanner(
      config.tokenizer,
      fuse ? { splitPunctuation: { urlToken } } : {},
    );
  }

  tokens(text: string): string[] {
    return this.tokenize(this.split(this.clean(text)));
  }

  /** Token count with boundaries in `scanner.bounds` over `this.text`, or -1 with `fallback` set. */
  scan(text: string): number {
    const cleaned = this.clean(text);
    const n = this.scanner.scan(cleaned);
    if (n >= 0) {
      this.text = cleaned;
      return n;
    }
    this.fallback = this.tokenize(this.split(cleaned));
    return -1;
  }
}
