import type { TokenizerConfig } from './config';

// ASCII character classes, mirroring the regexes in `tokenize.ts` and `clean.ts`: whitespace is
// JavaScript's `\s` plus U+001C-U+001F (U+0085 is not ASCII, so such texts take the regex path);
// punctuation is `\p{P}` or `\p{S}`, which in ASCII is exactly Python's `string.punctuation`.
const SPACE = 1;
const LETTER = 2; // [A-Za-z]
const WORD = 4; // [A-Za-z0-9_]
const PUNCT = 8;
const CLASS = new Uint8Array(128);
for (const c of [9, 10, 11, 12, 13, 28, 29, 30, 31, 32]) CLASS[c] = SPACE;
for (let c = 48; c <= 57; c++) CLASS[c] = WORD;
for (let c = 65; c <= 90; c++) CLASS[c] = LETTER | WORD;
for (let c = 97; c <= 122; c++) CLASS[c] = LETTER | WORD;
for (const c of '!"#$%&\'()*+,-./:;<=>?@[\\]^`{|}~') CLASS[c.charCodeAt(0)] = PUNCT;
CLASS[95] = WORD | PUNCT; // '_' is a word character and punctuation (Pc)
const APOSTROPHE = 39;
const LT = 60;
const GT = 62;
const UNDERSCORE = 95;
/** Placeholder tokens the word tokenizer keeps whole; only these may be fused with splitting. */
const PLACEHOLDER = /^<[A-Za-z_]+>$/;

export interface ScanOptions {
  /**
   * Also do the cleaning step `punctuation: 'split'` (`compileSplitPunctuation`) while
   * scanning: the tokens are those of the tokenizer run on the split text.
   */
  splitPunctuation?: { urlToken: false | string };
}

/**
 * Finds token boundaries in ASCII text without creating strings, exactly as the regexes would;
 * a randomized test checks that they agree. `scan` returns the token count with boundaries in
 * `bounds` as [start0, end0, start1, end1, ...], or -1 when the text is not ASCII and the
 * regexes must handle it.
 */
export class TokenScanner {
  bounds = new Int32Array(256);
  private readonly whitespace: boolean;
  private readonly contractions: boolean;
  private readonly split: boolean;
  private readonly urlToken: string;

  /** False when `splitPunctuation` cannot be fused (a URL token that is not `<letters>`); the constructor assumes true. */
  static canFuse(options: ScanOptions): boolean {
    const url = options.splitPunctuation?.urlToken;
    return url === undefined || url === false || url === '' || PLACEHOLDER.test(url);
  }

  constructor(config: TokenizerConfig, options: ScanOptions = {}) {
    this.whitespace = config.type === 'whitespace';
    this.contractions = config.type === 'word' && config.keepContractions !== false;
    this.split = options.splitPunctuation !== undefined;
    this.urlToken = options.splitPunctuation?.urlToken || '';
  }

  scan(text: string): number {
    const n = text.length;
    if (this.bounds.length < 2 * n) this.bounds = new Int32Array(2 * n + 256);
    const bounds = this.bounds;
    let count = 0;
    let i = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c > 127) return -1;
      const cls = CLASS[c] as number;
      if (cls === SPACE) {
        i++;
        continue;
      }
      const start = i;
      const end = this.split ? this.splitTokenEnd(text, i, c, cls) : this.tokenEnd(text, i, c, cls);
      if (end < 0) return -1;
      bounds[count++] = start;
      bounds[count++] = end;
      i = end;
    }
    return count >> 1;
  }

  private tokenEnd(text: string, i: number, c: number, cls: number): number {
    const n = text.length;
    if (this.whitespace) return runEnd(text, i + 1);
    if (cls & WORD) return this.wordEnd(text, i, 0);
    // <[A-Za-z_]+> stays whole; any other character is a token of its own.
    if (c === LT) {
      let j = i + 1;
      while (j < n && isLetterOrUnderscore(text.charCodeAt(j))) j++;
      if (j > i + 1 && j < n && text.charCodeAt(j) === GT) return j + 1;
    }
    return i + 1;
  }

  // The tokens of the tokenizer applied to the text after `punctuation: 'split'`, which spaces
  // out every mark but the URL token and apostrophes between two letters.
  private splitTokenEnd(text: string, i: number, c: number, cls: number): number {
    const url = this.urlToken;
    if (c === LT && url !== '' && text.startsWith(url, i)) return i + url.length;
    if (this.whitespace) {
      if (cls & PUNCT && !isJoiningApostrophe(text, i)) return i + 1;
      // A run ends at whitespace or at a mark that splitting isolates.
      const n = text.length;
      let j = i + 1;
      for (; j < n; j++) {
        const d = text.charCodeAt(j);
        if (d > 127) return -1;
        const k = CLASS[d] as number;
        if (k === SPACE || (k & PUNCT && !isJoiningApostrophe(text, j))) break;
      }
      return j;
    }
    // Word tokenizer: '_' is punctuation here, so words are letters and digits only, and an
    // apostrophe joins a contraction only between two letters.
    if (cls & WORD && !(cls & PUNCT)) return this.wordEnd(text, i, PUNCT);
    return i + 1;
  }

  /** `exclude` is PUNCT after splitting: '_' leaves words, and apostrophes need a letter before. */
  private wordEnd(text: string, i: number, exclude: number): number {
    const n = text.length;
    let j = i + 1;
    while (j < n) {
      const d = text.charCodeAt(j);
      if (d > 127) break;
      const k = CLASS[d] as number;
      if (!(k & WORD) || k & exclude) break;
      j++;
    }
    if (!this.contractions) return j;
    // (?:'[A-Za-z]+)*: each apostrophe must be followed by a letter (and, after splitting,
    // preceded by one) to stay in the word.
    while (
      j + 1 < n &&
      text.charCodeAt(j) === APOSTROPHE &&
      isLetter(text.charCodeAt(j + 1)) &&
      (exclude === 0 || isLetter(text.charCodeAt(j - 1)))
    ) {
      j += 2;
      while (j < n && isLetter(text.charCodeAt(j))) j++;
    }
    return j;
  }
}

function isLetter(c: number): boolean {
  return c < 128 && ((CLASS[c] as number) & LETTER) !== 0;
}

function isLetterOrUnderscore(c: number): boolean {
  return c === UNDERSCORE || isLetter(c);
}

// The split step keeps an apostrophe with a letter on both sides (it looks at the unsplit text).
function isJoiningApostrophe(text: string, i: number): boolean {
  return (
    text.charCodeAt(i) === APOSTROPHE &&
    i > 0 &&
    isLetter(text.charCodeAt(i - 1)) &&
    isLetter(text.charCodeAt(i + 1))
  );
}

/** End of a run of non-whitespace ASCII, or -1 at a non-ASCII character. */
function runEnd(text: string, i: number): number {
  const n = text.length;
  for (; i < n; i++) {
    const d = text.charCodeAt(i);
    if (d > 127) return -1;
    if (CLASS[d] === SPACE) break;
  }
  return i;
}
