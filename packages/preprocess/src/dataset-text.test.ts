import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetFormatOf, parseDataset } from './dataset-text';
import { isLstmkitError } from './errors';
import { loadDataset } from './node/load-dataset';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lstmkit-parse-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const files = {
  'reviews.tsv': '\ufeffgood film\tpos\r\nbad\tfilm\tneg\n\nfine\tpos',
  'reviews.csv': 'label,text\npos,"good, really"\nneg,"two\nlines"\n',
  'reviews.txt': '__label__2 a great phone\n__label__10 awful\n',
};

describe('parseDataset', () => {
  it.each(Object.entries(files))(
    'reads %s exactly as loadDataset reads the file',
    async (name, text) => {
      const path = join(root, name);
      await writeFile(path, text);
      const fromFile = await loadDataset(path);
      const fromText = await parseDataset(path, text);
      expect(fromText).toEqual(fromFile);
      expect(fromText.examples.length).toBeGreaterThan(1);
    },
  );

  it('names file and line of a malformed record, or skips it when lenient', async () => {
    const text = 'good\tpos\nno label here\n';
    const error = await parseDataset('drop.tsv', text).catch((e: unknown) => e);
    expect(isLstmkitError(error) && error.code).toBe('INVALID_DATASET_RECORD');
    expect((error as Error).message).toBe('drop.tsv:2: missing label (no tab)');
    const lenient = await parseDataset('drop.tsv', text, { lenient: true });
    expect(lenient.skipped).toEqual([
      { file: 'drop.tsv', line: 2, reason: 'missing label (no tab)' },
    ]);
  });

  it('tells the format from the name', () => {
    expect(datasetFormatOf('a.CSV', '')).toBe('csv');
    expect(datasetFormatOf('dir.v2/a.txt', '__label__x y')).toBe('fasttext');
    expect(datasetFormatOf('a.txt', 'text\t1')).toBe('tsv');
    expect(() => datasetFormatOf('a.json', '')).toThrow(/cannot tell the format/);
  });
});
