import { describe, expect, it } from 'vitest';
import { compileSplitPunctuation } from './clean';
import type { TokenizerConfig } from './config';
import { createRng } from './random';
import { TokenScanner } from './token-scanner';
import { tokenize } from './tokenize';

const CONFIGS: TokenizerConfig[] = [
  { type: 'whitespace' },
  { type: 'word' },
  { type: 'word', keepContractions: false },
];
// Every ASCII character plus the pieces that decide token edges, over-represented.
const PIECES = [
  ...Array.from({ length: 128 }, (_, c) => String.fromCharCode(c)),
  ...Array(20).fill(' '),
  ...Array(20).fill("'"),
  ...Array(30).fill('ab'),
  ...Array(10).fill('Z9_'),
  '<url>',
  '<',
  '>',
  '<a_b>',
  "don't",
  "o'",
  "'s",
  '\u000b',
  '\u001c',
  '\t\n',
];

function randomText(rng: () => number): string {
  let text = '';
  const parts = 1 + Math.floor(rng() * 25);
  for (let p = 0; p < parts; p++) text += PIECES[Math.floor(rng() * PIECES.length)];
  return text;
}

function scanTokens(scanner: TokenScanner, text: string): string[] | undefined {
  const n = scanner.scan(text);
  if (n < 0) return undefined;
  return Array.from({ length: n }, (_, t) =>
    text.slice(scanner.bounds[2 * t], scanner.bounds[2 * t + 1]),
  );
}

describe('TokenScanner', () => {
  for (const config of CONFIGS) {
    it(`finds exactly the tokens of the ${JSON.stringify(config)} regex on random ASCII text`, () => {
      const rng = createRng(11);
      const scanner = new TokenScanner(config);
      for (let k = 0; k < 5000; k++) {
        const text = randomText(rng);
        expect(scanTokens(scanner, text), JSON.stringify(text)).toEqual(tokenize(text, config));
      }
    });

    for (const urlToken of [false, '<url>'] as const) {
      it(`fuses punctuation splitting (URL token ${urlToken}) for ${JSON.stringify(config)}`, () => {
        const rng = createRng(12);
        const split = compileSplitPunctuation(urlToken);
        const scanner = new TokenScanner(config, { splitPunctuation: { urlToken } });
        for (let k = 0; k < 5000; k++) {
          const text = randomText(rng);
          expect(scanTokens(scanner, text), JSON.stringify(text)).toEqual(
            tokenize(split(text), config),
          );
        }
      });
    }
  }

  it('fuses splitting only for a <letters> URL token', () => {
    expect(TokenScanner.canFuse({ splitPunctuation: { urlToken: '<url>' } })).toBe(true);
    expect(TokenScanner.canFuse({ splitPunctuation: { urlToken: false } })).toBe(true);
    expect(TokenScanner.canFuse({ splitPunctuation: { urlToken: '[link]' } })).toBe(false);
  });

  it('hands non-ASCII text to the regex tokenizer', () => {
    const scanner = new TokenScanner({ type: 'word' });
    expect(scanner.scan('café')).toBe(-1);
    expect(scanner.scan("don'\u00e9")).toBe(-1);
    expect(scanner.scan('a\u0085b')).toBe(-1);
    expect(scanner.scan('')).toBe(0);
  });

  it('grows its buffer for long texts', () => {
    const scanner = new TokenScanner({ type: 'whitespace' });
    expect(scanner.scan('a '.repeat(5000))).toBe(5000);
  });
});
