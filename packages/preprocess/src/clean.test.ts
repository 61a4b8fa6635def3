import { describe, expect, it } from 'vitest';
import { cleanText } from './clean';
import { LstmkitError } from './errors';
import { pipelinePresets } from './presets';

describe('cleanText', () => {
  it('applies nothing with an empty config', () => {
    expect(cleanText('  Héllo, World!  ', {})).toBe('  Héllo, World!  ');
  });

  it('normalizes NFKC (full-width letters, ligatures)', () => {
    expect(cleanText('ＡＢＣ ﬁne ①', { nfkc: true })).toBe('ABC fine 1');
  });

  it('lowercases', () => {
    expect(cleanText('GREAT Movie', { lowercase: true })).toBe('great movie');
  });

  it('turns HTML tags into spaces but leaves comparisons alone', () => {
    expect(cleanText('good.<br /><br />Bad <i>acting</i>; a < b > c', { stripHtml: true })).toBe(
      'good.  Bad  acting ; a < b > c',
    );
  });

  it('replaces URLs without their trailing punctuation', () => {
    expect(cleanText('see https://x.org/a?b=1. or www.y.com, ok', { urls: '<url>' })).toBe(
      'see  <url> . or  <url> , ok',
    );
  });

  it('replaces each digit', () => {
    expect(cleanText('in 2003 for $12.50', { digits: '0' })).toBe('in 0000 for $00.00');
  });

  it("strips punctuation like Python's str.translate (no space inserted)", () => {
    expect(
      cleanText('Don\'t stop -- slow-moving, "aimless" (really)!', { punctuation: 'strip' }),
    ).toBe('Dont stop  slowmoving aimless really');
  });

  it('splits punctuation into tokens but keeps apostrophes inside words', () => {
    expect(cleanText("don't 'quoted' end.", { punctuation: 'split' })).toBe(
      "don't  ' quoted '  end . ",
    );
  });

  it('keeps the URL token whole when stripping or splitting punctuation', () => {
    expect(cleanText('go http://a.b/c!', { urls: '<url>', punctuation: 'strip' })).toBe(
      'go  <url> ',
    );
    expect(cleanText('go http://a.b/c!', { urls: '<url>', punctuation: 'split' })).toBe(
      'go   <url>   ! ',
    );
  });

  it('collapses all whitespace, U+0085 included, and trims', () => {
    expect(
      cleanText('\u0085 a\u0085\u0085b \t\n c\u00a0d\u3000 ', { collapseWhitespace: true }),
    ).toBe('a b c d');
  });

  it('reproduces the textbook recipe', () => {
    expect(
      cleanText(
        "  A very, very slow-moving movie...\u0085 I don't LIKE it!  ",
        pipelinePresets.textbook.clean,
      ),
    ).toBe('a very very slowmoving movie i dont like it');
  });

  it('runs the default preset end to end', () => {
    expect(
      cleanText(
        'Ｗow!<br />See https://imdb.com/x. 10/10, didn\u2019t hate it',
        pipelinePresets.default.clean,
      ),
    ).toBe('wow ! see <url> . 00 / 00 , didn\u2019t hate it');
  });

  it('names the bad field', () => {
    expect(() => cleanText('x', { punctuation: 'drop' as 'keep' })).toThrow(
      /clean\.punctuation must be one of 'keep', 'strip', 'split' \(got "drop"\)/,
    );
    try {
      cleanText('x', { lowercas: true } as never);
    } catch (e) {
      expect(e).toBeInstanceOf(LstmkitError);
      expect((e as LstmkitError).code).toBe('INVALID_PIPELINE_CONFIG');
      expect((e as LstmkitError).message).toMatch(/clean\.lowercas is not a known option/);
    }
  });
});
