import { relative } from 'node:path';
import type { CliIo } from './cli-io.js';
import { colorEnabled, createStyle, type Style } from './render/style.js';

/** What every command gets: the streams, styles for each, and how to print. */
export interface Context {
  readonly io: CliIo;
  /** The arguments `runCli` was called with (for "resume with" hints). */
  readonly argv: readonly string[];
  readonly debug: boolean;
  /** Styles for stdout and stderr (each on only if that stream is a colour terminal). */
  readonly out: Style;
  readonly err: Style;
  /** Exit code set by a command that finished without throwing (e.g. 130 after Ctrl-C). */
  exitCode: number;
  /** A result line on stdout. */
  print(line?: string): void;
  /** A progress or information line on stderr. */
  info(line?: string): void;
  warn(line: string): void;
  /** A path as shown to the user: relative to the cwd when inside it. */
  displayPath(path: string): string;
}

export function createContext(io: CliIo, argv: readonly string[]): Context {
  const noColor = argv.includes('--no-color');
  const debug = argv.includes('--debug');
  const out = createStyle(colorEnabled(io.stdout, io.env, noColor ? false : undefined));
  const err = createStyle(colorEnabled(io.stderr, io.env, noColor ? false : undefined));
  return {
    io,
    argv,
    debug,
    out,
    err,
    exitCode: 0,
    print(line = '') {
      io.stdout.write(`${line}\n`);
    },
    info(line = '') {
      io.stderr.write(`${line}\n`);
    },
    warn(line) {
      io.stderr.write(`${err.yellow('warning:')} ${line}\n`);
    },
    displayPath(path) {
      const rel = relative(io.cwd, path);
      if (rel === '') return '.';
      return rel.startsWith('..') || rel.startsWith('/') ? path : rel;
    },
  };
}
