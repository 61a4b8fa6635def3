import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { LstmkitError } from '@lstmkit/preprocess';
import { readLines } from '@lstmkit/preprocess/node';

/** Texts to classify, one a line, read only as they are needed. */
export interface TextInput {
  /** The path, 'stdin' or 'arguments': what messages call it. */
  readonly name: string;
  /** Bytes in all (a file), for progress; undefined when not known before reading. */
  readonly bytes: number | undefined;
  /** Bytes read so far (read ahead of the texts handed out by at most one 1 MiB read). */
  readonly bytesRead: number;
  texts(): AsyncIterable<string>;
}

export function argumentInput(texts: readonly string[]): TextInput {
  return {
    name: 'arguments',
    bytes: undefined,
    bytesRead: 0,
    async *texts() {
      yield* texts;
    },
  };
}

/**
 * Lines of a byte stream (LF or CRLF, BOM dropped, blank lines kept as texts): a line that is
 * not UTF-8 or is over 4 MiB is an error naming `name:line`.
 */
function lineInput(name: string, bytes: number | undefined, chunks: AsyncIterable<Buffer>) {
  let bytesRead = 0;
  async function* counted(): AsyncGenerator<Buffer> {
    for await (const chunk of chunks) {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      bytesRead += buffer.length;
      yield buffer;
    }
  }
  return {
    name,
    bytes,
    get bytesRead() {
      return bytesRead;
    },
    async *texts() {
      for await (const line of readLines(name, 'utf-8', undefined, counted())) {
        if ('invalid' in line) {
          throw new LstmkitError(
            'INVALID_DATASET_RECORD',
            `${name}:${line.number}: ${line.invalid}`,
            {
              hint: 'predict reads UTF-8 text, one text per line',
            },
          );
        }
        yield line.text;
      }
    },
  } satisfies TextInput;
}

export function stdinInput(stdin: Readable): TextInput {
  return lineInput('stdin', undefined, stdin);
}

/** A text file's lines; `flag` names the option in errors (--input, --file). */
export async function fileInput(path: string, cwd: string, flag: string): Promise<TextInput> {
  const absolute = resolve(cwd, path);
  const stats = await stat(absolute).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
    throw new LstmkitError('FILE_NOT_FOUND', `no such file: ${path}`, {
      hint: `check the ${flag} path`,
      cause: error,
    });
  });
  if (stats.isDirectory()) {
    throw new LstmkitError(
      'IS_A_DIRECTORY',
      `${flag} must be a text file, but ${path} is a directory`,
    );
  }
  // Regular files have a size to show progress against; pipes and devices do not.
  return lineInput(
    path,
    stats.isFile() ? stats.size : undefined,
    createReadStream(absolute, { highWaterMark: 1 << 20 }),
  );
}
