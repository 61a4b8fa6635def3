import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { LstmkitError } from '../errors';

export type TextEncoding = 'utf-8' | 'latin1';

export type Line = { number: number; text: string } | { number: number; invalid: string };

const NEWLINE = 0x0a;
const CR = 0x0d;
const BOM = '\ufeff';

/**
 * No text record is this long; a file with such a line is not line-oriented data (or is
 * /dev/zero), and buffering it whole would grow memory without end.
 */
export const MAX_LINE_BYTES = 4 << 20;

/**
 * Streams a file line by line (LF or CRLF; U+0085 and U+2028 are text, as in Python's file
 * iteration). Lines that are not valid UTF-8 are yielded as `invalid` so the caller decides
 * whether that is an error or a skipped record. `onChunk`, when given, sees every byte as it is
 * read, so a checksum or progress costs no second read. `chunks` reads another byte stream
 * (stdin) instead of the file, which then only names it in errors.
 */
export async function* readLines(
  file: string,
  encoding: TextEncoding,
  onChunk?: (chunk: Buffer) => void,
  chunks: AsyncIterable<Buffer> = createReadStream(file, { highWaterMark: 1 << 20 }),
): AsyncGenerator<Line, void, undefined> {
  let number = 0;
  // Pieces of a line that spans reads, joined once when it ends (a long line costs O(length)).
  let rest: Buffer[] = [];
  let restBytes = 0;
  const decode = (bytes: Buffer): Line => {
    number++;
    const end =
      bytes.length > 0 && bytes[bytes.length - 1] === CR ? bytes.length - 1 : bytes.length;
    const body = bytes.subarray(0, end);
    if (encoding === 'utf-8' && !isUtf8(body)) return { number, invalid: 'invalid UTF-8' };
    let text = body.toString(encoding === 'utf-8' ? 'utf8' : 'latin1');
    if (number === 1 && text.startsWith(BOM)) text = text.slice(1);
    return { number, text };
  };
  const checkLength = (bytes: number) => {
    if (bytes > MAX_LINE_BYTES) {
      throw new LstmkitError(
        'INVALID_DATASET_RECORD',
        `${file}:${number + 1}: line longer than ${MAX_LINE_BYTES >> 20} MiB; this is not a line-per-record text file`,
        { hint: 'Check the path and --format: records are one line of text each.' },
      );
    }
  };
  for await (const chunk of chunks) {
    onChunk?.(chunk);
    let start = 0;
    let end = chunk.indexOf(NEWLINE, start);
    if (end !== -1 && rest.length > 0) {
      checkLength(restBytes + end);
      rest.push(chunk.subarray(0, end));
      yield decode(Buffer.concat(rest));
      rest = [];
      restBytes = 0;
      start = end + 1;
      end = chunk.indexOf(NEWLINE, start);
    }
    for (; end !== -1; end = chunk.indexOf(NEWLINE, start)) {
      yield decode(chunk.subarray(start, end));
      start = end + 1;
    }
    if (start < chunk.length) {
      rest.push(chunk.subarray(start));
      restBytes += chunk.length - start;
      checkLength(restBytes);
    }
  }
  if (rest.length > 0) yield decode(Buffer.concat(rest));
}
