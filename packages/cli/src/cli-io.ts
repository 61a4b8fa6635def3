import type { Readable, Writable } from 'node:stream';

/** A writable text stream plus what the CLI needs to know about the terminal behind it. */
export interface OutputStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/**
 * Where the CLI reads and writes. `runCli` uses the process streams by default; embedders
 * and tests can pass their own.
 */
export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  stdin: Readable & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  cwd: string;
}

export function processIo(): CliIo {
  return {
    stdout: process.stdout as Writable & OutputStream,
    stderr: process.stderr as Writable & OutputStream,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
  };
}
