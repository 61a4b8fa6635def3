import { type CleanConfig, type ResolvedCleanConfig, resolveCleanConfig } from './config';
import { APOSTROPHE_CLASS, escapeRegExp, PUNCTUATION_CLASS, WHITESPACE_CLASS } from './unicode';

// Opening or closing tags and comments; a lone `<` or `a < b` is left alone.
const HTML_TAG = /<\/?[a-zA-Z][^<>]*>|<!--[\s\S]*?-->/g;
// Trailing sentence punctuation is not part of the URL.
const URL = /\b(?:https?:\/\/|www\.)[^\s<>"]*[^\s<>".,;:!?)\]'\u0085]/gi;
const DIGIT = /\p{Nd}/gu;
const NON_ASCII = /[^ -~\t\n\r]/;
const WHITESPACE_RUN = new RegExp(`[${WHITESPACE_CLASS}]+`, 'g');

/** A compiled cleaning function: regexes are built once per config, not once per text. */
export type Cleaner = (text: string) => string;

/**
 * `forTokenizer` leaves out the whitespace collapse: both tokenizers split on the same
 * whitespace class, so collapsing first cannot change a token, and it saves a pass per text.
 * `deferSplit` leaves out punctuation splitting, the last step before it, for a caller that
 * applies `compileSplitPunctuation` itself (or fuses it into token scanning).
 */
export function compileCleaner(
  config: CleanConfig,
  { forTokenizer = false, deferSplit = false } = {},
): Cleaner {
  const c: ResolvedCleanConfig = resolveCleanConfig(config);
  const steps: Cleaner[] = [];
  // Printable ASCII is NFKC-invariant; the test is far cheaper than normalize() on short texts.
  if (c.nfkc) steps.push((t) => (NON_ASCII.test(t) ? t.normalize('NFKC') : t));
  if (c.lowercase) steps.push((t) => t.toLowerCase());
  if (c.stripHtml) steps.push((t) => t.replace(HTML_TAG, ' '));
  const urlToken = c.urls;
  if (urlToken !== false) steps.push((t) => t.replace(URL, ` ${urlToken} `));
  const digit = c.digits;
  if (digit !== false) steps.push((t) => t.replace(DIGIT, digit));
  if (c.punctuation === 'strip') steps.push(compileStripPunctuation(urlToken));
  if (c.punctuation === 'split' && !deferSplit) steps.push(compileSplitPunctuation(urlToken));
  if (c.collapseWhitespace && !forTokenizer)
    steps.push((t) => t.replace(WHITESPACE_RUN, ' ').trim());
  return (text) => {
    let out = text;
    for (const step of steps) out = step(out);
    return out;
  };
}

// The URL token (e.g. `<url>`) is itself punctuation-bearing and must survive these steps.
function keepToken(urlToken: false | string): string {
  return urlToken === false || urlToken === '' ? '' : `(${escapeRegExp(urlToken)})|`;
}

function compileStripPunctuation(urlToken: false | string): Cleaner {
  const keep = keepToken(urlToken);
  const re = new RegExp(`${keep}[${PUNCTUATION_CLASS}]+`, 'gu');
  return keep === '' ? (t) => t.replace(re, '') : (t) => t.replace(re, '$1');
}

/**
 * Every punctuation mark becomes its own token, except an apostrophe between two letters
 * (don't, o'clock), so a contraction-keeping tokenizer still sees the word whole.
 */
export function compileSplitPunctuation(urlToken: false | string): Cleaner {
  const a = APOSTROPHE_CLASS;
  const re = new RegExp(
    `${keepToken(urlToken)}(?![${a}])[${PUNCTUATION_CLASS}]|(?<!\\p{L})[${a}]|[${a}](?!\\p{L})`,
    'gu',
  );
  return (t) => t.replace(re, ' $& ');
}

/**
 * Applies the configured steps in a fixed order: NFKC, lowercase, HTML, URLs, digits,
 * punctuation, whitespace. For many texts, compile once with a `TextPipeline` instead.
 */
export function cleanText(text: string, config: CleanConfig): string {
  return compileCleaner(config)(text);
}
