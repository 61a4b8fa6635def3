import { resolveTokenizerConfig, type TokenizerConfig } from './config';
import { APOSTROPHE_CLASS, WHITESPACE_CLASS } from './unicode';

export type Tokenizer = (text: string) => string[];

const NON_SPACE_RUN = new RegExp(`[^${WHITESPACE_CLASS}]+`, 'g');
// Placeholder tokens made by cleaning (`<url>`) stay whole.
const SPECIAL = '<[\\p{L}_]+>';
const WORD = '[\\p{L}\\p{M}\\p{N}_]+';
const CONTRACTION = `(?:[${APOSTROPHE_CLASS}][\\p{L}\\p{M}]+)*`;
// Anything else (a punctuation mark, a symbol, an emoji) is a token of one code point.
const OTHER = `[^${WHITESPACE_CLASS}]`;
const WORD_WITH_CONTRACTIONS = new RegExp(`${SPECIAL}|${WORD}${CONTRACTION}|${OTHER}`, 'gu');
const WORD_PLAIN = new RegExp(`${SPECIAL}|${WORD}|${OTHER}`, 'gu');

export function compileTokenizer(config: TokenizerConfig): Tokenizer {
  const c = resolveTokenizerConfig(config);
  // String.prototype.match with a /g regex restarts at 0 and returns all matches in one native call.
  const re =
    c.type === 'whitespace'
      ? NON_SPACE_RUN
      : c.keepContractions !== false
        ? WORD_WITH_CONTRACTIONS
        : WORD_PLAIN;
  return (text) => text.match(re) ?? [];
}

/**
 * `whitespace` splits on whitespace only (U+0085 included); `word` splits words from
 * punctuation, each punctuation mark a token, and keeps `don't` whole unless
 * `keepContractions` is false.
 */
export function tokenize(text: string, config: TokenizerConfig): string[] {
  return compileTokenizer(config)(text);
}
