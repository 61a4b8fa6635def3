import { isUtf8 } from 'node:buffer';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkRecord, type RecordOrMalformed } from './raw-record';
import type { TextEncoding } from './read-lines';

export interface FolderFile {
  label: string;
  file: string;
}

/**
 * The `.txt` files of a folder of label folders (the aclImdb layout), sorted, so the example
 * order is the same on every machine.
 */
export async function listFolders(root: string): Promise<FolderFile[]> {
  const labels = (await readdir(root, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const files: FolderFile[] = [];
  for (const label of labels) {
    const names = (await readdir(join(root, label), { withFileTypes: true }))
      .filter((entry) => entry.isFile() && entry.name.endsWith('.txt'))
      .map((entry) => entry.name)
      .sort();
    for (const name of names) files.push({ label, file: join(root, label, name) });
  }
  return files;
}

/** One example per file of `listFolders`; `line` is 1 for a file. `onFile` sees each file's bytes. */
export async function* readFolders(
  root: string,
  encoding: TextEncoding,
  onFile?: (bytes: Buffer) => void,
): AsyncGenerator<RecordOrMalformed> {
  for (const { label, file } of await listFolders(root)) {
    const bytes = await readFile(file);
    onFile?.(bytes);
    if (encoding === 'utf-8' && !isUtf8(bytes)) {
      yield { malformed: { file, line: 1, reason: 'invalid UTF-8' } };
      continue;
    }
    const text = bytes.toString(encoding === 'utf-8' ? 'utf8' : 'latin1').replace(/^\ufeff/, '');
    yield checkRecord({ file, line: 1, text, label });
  }
}
