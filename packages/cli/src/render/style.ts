import type { OutputStream } from '../cli-io.js';

const codes = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
  gray: [90, 39],
} as const;

export type StyleName = keyof typeof codes;

/** Colours for one stream; every function is the identity when colour is off. */
export type Style = Record<StyleName, (text: string) => string> & { readonly enabled: boolean };

/**
 * Colour is on when the stream is a terminal, unless NO_COLOR is set (https://no-color.org)
 * or `--no-color` was given; FORCE_COLOR=1+ turns it on anywhere, FORCE_COLOR=0 off.
 */
export function colorEnabled(
  stream: OutputStream,
  env: Record<string, string | undefined>,
  flag?: boolean,
): boolean {
  if (flag === false) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

export function createStyle(enabled: boolean): Style {
  const style = { enabled } as Style;
  for (const [name, [open, close]] of Object.entries(codes) as [
    StyleName,
    readonly [number, number],
  ][]) {
    style[name] = enabled ? (text) => `\u001b[${open}m${text}\u001b[${close}m` : (text) => text;
  }
  return style;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences start with ESC
const ansiPattern = /\u001b\[[0-9;]*[A-Za-z]/g;

/** Length of a string as shown in a terminal (ANSI codes removed). */
export function visibleLength(text: string): number {
  return text.replace(ansiPattern, '').length;
}

export function stripAnsi(text: string): string {
  return text.replace(ansiPattern, '');
}
