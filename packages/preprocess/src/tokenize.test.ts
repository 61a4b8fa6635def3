import { describe, expect, it } from 'vitest';
import { tokenize } from './tokenize';

describe('tokenize', () => {
  it('splits on whitespace, U+0085 included', () => {
    expect(tokenize(' a\u0085b\tc\u00a0 d ', { type: 'whitespace' })).toEqual(['a', 'b', 'c', 'd']);
    expect(tokenize(' \u0085 ', { type: 'whitespace' })).toEqual([]);
  });

  it('keeps contractions whole by default', () => {
    expect(tokenize("I don't think it's o'clock yet.", { type: 'word' })).toEqual([
      'I',
      "don't",
      'think',
      "it's",
      "o'clock",
      'yet',
      '.',
    ]);
    expect(tokenize('didn\u2019t', { type: 'word' })).toEqual(['didn\u2019t']);
  });

  it('splits contractions when asked', () => {
    expect(tokenize("don't", { type: 'word', keepContractions: false })).toEqual(['don', "'", 't']);
  });

  it('makes each punctuation mark and symbol a token and keeps placeholder tokens', () => {
    expect(tokenize('wow!!<url> café…10/10 😀ok', { type: 'word' })).toEqual([
      'wow',
      '!',
      '!',
      '<url>',
      'café',
      '…',
      '10',
      '/',
      '10',
      '😀',
      'ok',
    ]);
  });

  it('returns no tokens for an empty text', () => {
    expect(tokenize('', { type: 'word' })).toEqual([]);
  });
});
