import { isUtf8 } from 'node:buffer';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkRecord, type RecordOrMalformed } from './raw-record';
import type { TextEncoding } from './read-lines';

/**
 * One sub-folder per label, one example per `.txt` file (the aclImdb layout). Files are read in
 * sorted order so the example order is the same on every machine; `line` is 1 for a file.
 */
export async function* readFolders(
  root: string,
  encoding: TextEncoding,
): AsyncGenerator<RecordOrMalformed> {
  const labels = (await readdir(root, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  for (const label of labels) {
    const files = (await readdir(join(root, label), { withFileTypes: true }))
      .filter((entry) => entry.isFile() && entry.name.endsWith('.txt'))
      .map((entry) => entry.name)
      .sort();
    for (const name of files) {
      const file = join(root, label, name);
      const bytes = await readFile(file);
      if (encoding === 'utf-8' && !isUtf8(bytes)) {
        yield { malformed: { file, line: 1, reason: 'invalid UTF-8' } };
        continue;
      }
      const text = bytes.toString(encoding === 'utf-8' ? 'utf8' : 'latin1').replace(/^\ufeff/, '');
      yield checkRecord({ file, line: 1, text, label });
    }
  }
}
