import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { LstmkitError } from '@lstmkit/preprocess';

/** Splits text into lines (\n or \r\n); a final newline does not add an empty line. */
export function splitLines(text: string): string[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export async function readStream(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

export async function readLinesFromFile(path: string, cwd: string): Promise<string[]> {
  try {
    return splitLines(await readFile(resolve(cwd, path), 'utf8'));
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT') {
      throw new LstmkitError('FILE_NOT_FOUND', `no such file: ${path}`, {
        hint: 'check the --file path',
        cause: error,
      });
    }
    if (code === 'EISDIR') {
      throw new LstmkitError(
        'FILE_NOT_FOUND',
        `--file must be a text file, but ${path} is a directory`,
        { cause: error },
      );
    }
    throw error;
  }
}
