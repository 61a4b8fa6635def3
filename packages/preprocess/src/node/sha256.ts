import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { LstmkitError } from '../errors';

/** Parses `sha256sum` output: `<hex>  <name>` or `<hex> *<name>` per line. */
export async function readChecksums(file: string): Promise<Map<string, string>> {
  const sums = new Map<string, string>();
  const lines = (await readFile(file, 'utf8')).split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const match = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line.replace(/\r$/, ''));
    if (match === null) {
      throw new LstmkitError(
        'INVALID_CHECKSUM_FILE',
        `${file}:${i + 1}: expected "<sha256>  <file name>"`,
      );
    }
    sums.set(match[2] as string, (match[1] as string).toLowerCase());
  });
  return sums;
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }))
    hash.update(chunk as Buffer);
  return hash.digest('hex');
}
