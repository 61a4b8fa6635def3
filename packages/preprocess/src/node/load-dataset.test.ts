import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLstmkitError } from '../errors';
import { loadDataset } from './load-dataset';
import { MAX_LINE_BYTES } from './read-lines';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lstmkit-load-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, content: string | Buffer): Promise<string> {
  const path = join(dir, name);
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, content);
  return path;
}

async function rejection(
  promise: Promise<unknown>,
): Promise<{ code: string; message: string; hint?: string }> {
  try {
    await promise;
  } catch (e) {
    if (isLstmkitError(e)) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}

const INVALID_UTF8 = Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe]);

describe('loadDataset: TSV', () => {
  it('splits on the last tab, keeps quotes and U+0085 as text, handles BOM and CRLF', async () => {
    const path = await write(
      'a.tsv',
      '\ufeffsaid "no\tway" ok\t1\r\n"unclosed quote\t0\r\nnel\u0085inside  \t1\n\nlast\t0',
    );
    const d = await loadDataset(path);
    expect(d).toEqual({
      name: path,
      labelNames: ['0', '1'],
      skipped: [],
      examples: [
        { text: 'said "no\tway" ok', label: 1 },
        { text: '"unclosed quote', label: 0 },
        { text: 'nel\u0085inside  ', label: 1 },
        { text: 'last', label: 0 },
      ],
    });
  });

  it('sorts numeric labels numerically and others by code units', async () => {
    const numeric = await loadDataset(await write('n.tsv', 'a\t10\nb\t2\nc\t-1\n'));
    expect(numeric.labelNames).toEqual(['-1', '2', '10']);
    expect(numeric.examples.map((e) => e.label)).toEqual([2, 1, 0]);
    const words = await loadDataset(await write('w.tsv', 'a\tpos\nb\tneg\n'));
    expect(words.labelNames).toEqual(['neg', 'pos']);
  });

  it('reads latin1', async () => {
    const path = await write('l1.tsv', Buffer.from('caf\xe9\t1\n', 'latin1'));
    expect((await loadDataset(path, { encoding: 'latin1' })).examples[0]?.text).toBe('café');
    expect((await rejection(loadDataset(path))).message).toBe(`${path}:1: invalid UTF-8`);
  });

  it('streams files larger than a read chunk, lines and characters split across chunks', async () => {
    const lines = Array.from(
      { length: 30_000 },
      (_, i) => `sentence ${i} with é and 漢字 ${'x'.repeat(i % 97)}\t${i % 2}`,
    );
    const d = await loadDataset(await write('big.tsv', `${lines.join('\n')}\n`));
    expect(d.examples.length).toBe(30_000);
    expect(d.examples[29_999]).toEqual({
      text: `sentence 29999 with é and 漢字 ${'x'.repeat(29_999 % 97)}`,
      label: 1,
    });
    expect(d.examples.every((e, i) => e.text.startsWith(`sentence ${i} with é and 漢字`))).toBe(
      true,
    );
  });

  it('reads a line longer than several read chunks', async () => {
    const long = 'word '.repeat(600_000);
    const d = await loadDataset(await write('long.tsv', `short\t0\r\n${long}\t1\r\nend\t0`));
    expect(d.examples.map((e) => e.text.length)).toEqual([5, long.length, 3]);
    expect(d.examples[1]?.text).toBe(long);
  });
});

describe('loadDataset: malformed records', () => {
  const cases: {
    name: string;
    file: string;
    content: string | Buffer;
    options?: object;
    line: number;
    reason: string;
  }[] = [
    {
      name: 'TSV missing label',
      file: 'm1.tsv',
      content: 'ok\t1\nno tab here\n',
      line: 2,
      reason: 'missing label (no tab)',
    },
    {
      name: 'TSV empty label',
      file: 'm2.tsv',
      content: 'ok\t1\nempty label\t \n',
      line: 2,
      reason: 'missing label',
    },
    {
      name: 'TSV empty text',
      file: 'm3.tsv',
      content: 'ok\t1\n \u0085\t0\n',
      line: 2,
      reason: 'empty text',
    },
    {
      name: 'TSV bad label',
      file: 'm4.tsv',
      content: 'ok\tpos\nhm\tmaybe\n',
      options: { labelNames: ['neg', 'pos'] },
      line: 2,
      reason: 'bad label "maybe" (expected one of "neg", "pos")',
    },
    {
      name: 'TSV invalid UTF-8',
      file: 'm5.tsv',
      content: Buffer.concat([Buffer.from('ok\t1\n'), INVALID_UTF8, Buffer.from('\t0\n')]),
      line: 2,
      reason: 'invalid UTF-8',
    },
    {
      name: 'fastText missing label',
      file: 'm6.ft',
      content: '__label__a fine\nno label\n',
      line: 2,
      reason: 'missing label (no __label__ prefix)',
    },
    {
      name: 'fastText two labels',
      file: 'm7.ft',
      content: '__label__a fine\n__label__a __label__b two\n',
      line: 2,
      reason: 'bad label: more than one label on the line',
    },
    {
      name: 'fastText empty text',
      file: 'm8.ft',
      content: '__label__a fine\n__label__b   \n',
      line: 2,
      reason: 'empty text',
    },
    {
      name: 'CSV field count',
      file: 'm9.csv',
      content: 'text,label\nok,1\n"a, b",1,extra\n',
      line: 3,
      reason: 'expected 2 fields, got 3',
    },
    {
      name: 'CSV missing label',
      file: 'm10.csv',
      content: 'text,label\nok,1\n"multi\nline",\n',
      line: 3,
      reason: 'missing label',
    },
    {
      name: 'CSV bad quoting',
      file: 'm11.csv',
      content: 'text,label\nok,1\n"a"b,1\n',
      line: 3,
      reason: 'bad CSV quoting: text after a closing quote at column 4',
    },
    {
      name: 'CSV unterminated quote',
      file: 'm12.csv',
      content: 'text,label\nok,1\n"never closed,1\nmore\n',
      line: 3,
      reason: 'bad CSV quoting: quoted field never closed',
    },
    {
      name: 'CSV invalid UTF-8',
      file: 'm13.csv',
      content: Buffer.concat([
        Buffer.from('text,label\nok,1\n'),
        INVALID_UTF8,
        Buffer.from(',0\n'),
      ]),
      line: 3,
      reason: 'invalid UTF-8 (line 3)',
    },
  ];

  for (const c of cases) {
    it(`${c.name}: strict names file and line, lenient skips and counts`, async () => {
      const path = await write(c.file, c.content);
      const error = await rejection(loadDataset(path, c.options));
      expect(error.code).toBe('INVALID_DATASET_RECORD');
      expect(error.message).toBe(`${path}:${c.line}: ${c.reason}`);
      expect(error.hint).toMatch(/lenient/);
      const d = await loadDataset(path, { ...c.options, lenient: true });
      expect(d.skipped).toEqual([{ file: path, line: c.line, reason: c.reason }]);
      expect(d.examples.length).toBe(1);
    });
  }

  it.each([['empty.tsv'], ['empty.csv'], ['empty.txt']])(
    'fails the same way for an empty file of any format: %s',
    async (name) => {
      const path = await write(name, '');
      const error = await rejection(loadDataset(path));
      expect([error.code, error.message]).toEqual([
        'DATASET_EMPTY',
        `${path}: no examples (it holds no records)`,
      ]);
    },
  );

  it('refuses a line longer than MAX_LINE_BYTES instead of buffering it (e.g. /dev/zero)', async () => {
    const path = await write('huge.tsv', `short\tpos\n${'x'.repeat(MAX_LINE_BYTES + 1)}\tneg\n`);
    const error = await rejection(loadDataset(path));
    expect(error.code).toBe('INVALID_DATASET_RECORD');
    expect(error.message).toBe(
      `${path}:2: line longer than 4 MiB; this is not a line-per-record text file`,
    );
    const zero = await rejection(loadDataset('/dev/zero', { format: 'tsv' }));
    expect(zero.message).toMatch(/^\/dev\/zero:1: line longer than 4 MiB/);
  });

  it('fails when nothing is left', async () => {
    const path = await write('none.tsv', 'no tab\n');
    const error = await rejection(loadDataset(path, { lenient: true }));
    expect([error.code, error.message]).toEqual([
      'DATASET_EMPTY',
      `${path}: no examples (all 1 records were malformed)`,
    ]);
  });
});

describe('loadDataset: CSV', () => {
  it('reads named columns with RFC 4180 quoting and multi-line fields', async () => {
    const path = await write(
      'r.csv',
      'id,body,stars\r\n1,"Great, really ""great""",5\r\n2,"two\r\nlines",1\r\n3,plain,5\r\n',
    );
    const d = await loadDataset(path, { textColumn: 'body', labelColumn: 'stars' });
    expect(d.labelNames).toEqual(['1', '5']);
    expect(d.examples).toEqual([
      { text: 'Great, really "great"', label: 1 },
      { text: 'two\nlines', label: 0 },
      { text: 'plain', label: 1 },
    ]);
  });

  it('names a missing column and the columns it found', async () => {
    const path = await write('c.csv', 'review,sentiment\na,b\n');
    const error = await rejection(loadDataset(path));
    expect([error.code, error.message]).toEqual([
      'INVALID_DATASET_FORMAT',
      `${path}:1: CSV header has no column "text" (columns: review, sentiment)`,
    ]);
  });
});

describe('loadDataset: fastText and folders', () => {
  it('keeps raw fastText label names, sorted', async () => {
    const path = await write('x.txt', '__label__b Nice: thing\n__label__a Bad\tone\n');
    const d = await loadDataset(path);
    expect(d.labelNames).toEqual(['a', 'b']);
    expect(d.examples).toEqual([
      { text: 'Nice: thing', label: 1 },
      { text: 'Bad\tone', label: 0 },
    ]);
  });

  it('reads one folder per label, one example per .txt file', async () => {
    await write('f/pos/2.txt', 'good film');
    await write('f/pos/1.txt', 'great film\nwith two lines');
    await write('f/neg/1.txt', 'bad film');
    await write('f/neg/notes.md', 'ignored');
    await write('f/neg/3.txt', '  ');
    const root = join(dir, 'f');
    const error = await rejection(loadDataset(root));
    expect(error.message).toBe(`${join(root, 'neg', '3.txt')}:1: empty text`);
    const d = await loadDataset(root, { lenient: true });
    expect(d.labelNames).toEqual(['neg', 'pos']);
    expect(d.examples).toEqual([
      { text: 'bad film', label: 0 },
      { text: 'great film\nwith two lines', label: 1 },
      { text: 'good film', label: 1 },
    ]);
    expect(d.skipped.length).toBe(1);
  });
});

describe('loadDataset: paths and options', () => {
  it('says when a path does not exist', async () => {
    const error = await rejection(loadDataset(join(dir, 'missing.tsv')));
    expect(error.code).toBe('DATASET_NOT_FOUND');
    expect(error.hint).toMatch(/uci-sentiment/);
  });

  it('needs a known extension or an explicit format', async () => {
    const path = await write('data.dat', 'a\t1\n');
    expect((await rejection(loadDataset(path))).code).toBe('INVALID_DATASET_FORMAT');
    expect((await loadDataset(path, { format: 'tsv' })).examples.length).toBe(1);
  });

  it('validates options, naming the option', async () => {
    const path = await write('o.tsv', 'a\t1\n');
    const error = await rejection(loadDataset(path, { encoding: 'utf-16' as 'utf-8' }));
    expect([error.code, error.message]).toEqual([
      'INVALID_LOAD_OPTIONS',
      `loadDataset option encoding must be 'utf-8' or 'latin1' (got "utf-16")`,
    ]);
    expect((await rejection(loadDataset(path, { lenint: true } as object))).message).toMatch(
      /option lenint is not a known option/,
    );
  });
});

describe('loadDataset: named datasets', () => {
  const uci = async (home: string, sums?: string) => {
    const files = {
      'amazon_cells_labelled.txt': 'Good case.\t1\nBad case.\t0\n',
      'imdb_labelled.txt': 'A "quoted" film.  \t1\n',
      'yelp_labelled.txt': 'Meh\u0085food.\t0\n',
    };
    for (const [name, content] of Object.entries(files))
      await write(join(home, 'uci-sentiment', name), content);
    const lines = Object.entries(files).map(
      ([name, c]) => `${createHash('sha256').update(c).digest('hex')}  ${name}`,
    );
    await write(join(home, 'uci-sentiment', 'SHA256SUMS'), sums ?? `${lines.join('\n')}\n`);
    return join(dir, home);
  };

  it('loads from the data home with fixed label names, verified', async () => {
    const d = await loadDataset('uci-sentiment', { dataHome: await uci('home1') });
    expect(d.name).toBe('uci-sentiment');
    expect(d.labelNames).toEqual(['negative', 'positive']);
    expect(d.examples.map((e) => e.label)).toEqual([1, 0, 1, 0]);
    expect(d.examples[3]?.text).toBe('Meh\u0085food.');
  });

  it('says where it looked and how to provide a missing dataset', async () => {
    const home = join(dir, 'empty-home');
    const error = await rejection(loadDataset('imdb-50k', { dataHome: home }));
    expect(error.code).toBe('DATASET_NOT_FOUND');
    expect(error.message).toBe(
      `Dataset "imdb-50k" not found: ${join(home, 'imdb-50k', 'IMDB_aclImdb_50k.csv')} does not exist (data home ${home}, from the dataHome option)`,
    );
    expect(error.hint).toContain('Set LSTMKIT_DATA_HOME');
    expect(error.hint).toContain(
      `place IMDB_aclImdb_50k.csv, SHA256SUMS in ${join(home, 'imdb-50k')}`,
    );
  });

  it('rejects a file whose checksum does not match, unless verify is off', async () => {
    const home = await uci('home2', `${'0'.repeat(64)}  amazon_cells_labelled.txt\n`);
    const error = await rejection(loadDataset('uci-sentiment', { dataHome: home }));
    expect(error.code).toBe('DATASET_CHECKSUM_MISMATCH');
    expect(error.message).toContain(join(home, 'uci-sentiment', 'amazon_cells_labelled.txt'));
    expect(
      (await loadDataset('uci-sentiment', { dataHome: home, verify: false })).examples.length,
    ).toBe(4);
  });

  it('rejects file options for a named dataset', async () => {
    const error = await rejection(loadDataset('uci-sentiment', { format: 'csv' }));
    expect(error.message).toMatch(
      /option format does not apply to the named dataset "uci-sentiment"/,
    );
  });
});
