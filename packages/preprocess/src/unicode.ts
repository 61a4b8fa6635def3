/**
 * Whitespace as Python's `str.split()` sees it: JavaScript's `\s` plus U+0085 (NEL, present in
 * the UCI data) and the information separators U+001C-U+001F.
 */
export const WHITESPACE_CLASS = '\\s\\u0085\\u001c-\\u001f';
/** Unicode punctuation and symbols: a superset of Python's `string.punctuation`. */
export const PUNCTUATION_CLASS = '\\p{P}\\p{S}';
/** Straight and typographic apostrophes, kept inside words such as `don't`. */
export const APOSTROPHE_CLASS = "'\\u2019";

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
