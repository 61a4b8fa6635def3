import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetRecord, ReadProgress, SkippedRecord } from '../dataset-source';
import { datasetSource } from '../dataset-source';
import { loadDataset } from './load-dataset';
import { openDataset } from './open-dataset';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lstmkit-open-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, content: string): Promise<string> {
  const path = join(dir, name);
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, content);
  return path;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

async function all(iterable: AsyncIterable<DatasetRecord>): Promise<DatasetRecord[]> {
  const out: DatasetRecord[] = [];
  for await (const record of iterable) out.push(record);
  return out;
}

describe('openDataset', () => {
  it('streams records with label names and where they came from, any number of passes', async () => {
    const path = await write('a.ft', '__label__2 Good one\n\n__label__1 Bad one\n');
    const source = await openDataset(path);
    expect([source.name, source.bytes, source.count, source.labelNames]).toEqual([
      path,
      40,
      undefined,
      undefined,
    ]);
    const expected = [
      { text: 'Good one', label: '2', where: `${path}:1` },
      { text: 'Bad one', label: '1', where: `${path}:3` },
    ];
    expect(await all(source.records())).toEqual(expected);
    expect(await all(source.records())).toEqual(expected);
  });

  it('reports progress in bytes and records, throttled, ending at the total', async () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `text number ${i}\t${i % 3}`);
    const path = await write('p.tsv', `${lines.join('\n')}\n`);
    const source = await openDataset(path);
    const seen: ReadProgress[] = [];
    const records = await all(source.records({ onProgress: (p) => seen.push(p) }));
    expect(records.length).toBe(5000);
    expect(seen.at(-1)).toEqual({ bytes: source.bytes, records: 5000 });
    expect(seen.length).toBeGreaterThanOrEqual(5);
    expect(seen.length).toBeLessThanOrEqual(8);
    for (let i = 1; i < seen.length; i++)
      expect((seen[i] as ReadProgress).records).toBeGreaterThanOrEqual(
        (seen[i - 1] as ReadProgress).records,
      );
  });

  it('throws on a malformed record in strict mode, reports it to onSkipped in lenient mode', async () => {
    const path = await write('m.tsv', 'ok\tpos\nno tab\nfine\tneg\n');
    const strict = await openDataset(path);
    await expect(all(strict.records())).rejects.toThrow(`${path}:2: missing label (no tab)`);
    const lenient = await openDataset(path, { lenient: true, labelNames: ['neg', 'pos'] });
    expect(lenient.labelNames).toEqual(['neg', 'pos']);
    const skipped: SkippedRecord[] = [];
    const records = await all(lenient.records({ onSkipped: (s) => skipped.push(s) }));
    expect(records.map((r) => r.label)).toEqual(['pos', 'neg']);
    expect(skipped).toEqual([{ file: path, line: 2, reason: 'missing label (no tab)' }]);
  });

  it("digests a file's bytes and how it is read; cached, and free after a full pass", async () => {
    const content = 'text,label,other\nhello,1,x\nworld,0,y\n';
    const path = await write('d.csv', content);
    const a = await openDataset(path);
    const digest = await a.digest();
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(await a.digest()).toBe(digest);
    const b = await openDataset(path);
    await all(b.records());
    expect(await b.digest()).toBe(digest);
    const other = await openDataset(path, { textColumn: 'other' });
    expect(await other.digest()).not.toBe(digest);
    await writeFile(path, content.replace('hello', 'hellO'));
    expect(await (await openDataset(path)).digest()).not.toBe(digest);
  });

  it('digests a folder of label folders by its files', async () => {
    await write('f/pos/1.txt', 'good');
    await write('f/neg/1.txt', 'bad');
    const source = await openDataset(join(dir, 'f'));
    expect(source.bytes).toBe(7);
    const digest = await source.digest();
    await write('f/neg/2.txt', 'worse');
    expect(await (await openDataset(join(dir, 'f'))).digest()).not.toBe(digest);
  });

  it('gives a named dataset its SHA256SUMS as digest and verifies every pass', async () => {
    const home = join(dir, 'home');
    const content = '__label__1 bad\n__label__2 good\n';
    const file = join(home, 'amazon-ft-sample', 'test.ft.first6459.txt');
    await mkdir(join(file, '..'), { recursive: true });
    await writeFile(file, content);
    const sums = `${sha256(content)}  test.ft.first6459.txt\n`;
    await writeFile(join(home, 'amazon-ft-sample', 'SHA256SUMS'), sums);
    const source = await openDataset('amazon-ft-sample', { dataHome: home });
    expect(source.labelNames).toEqual(['negative', 'positive']);
    expect(await source.digest()).toBe(sha256(sums));
    // Without verification the files are hashed: the same digest while they are intact.
    const unverified = await openDataset('amazon-ft-sample', { dataHome: home, verify: false });
    expect(await unverified.digest()).toBe(sha256(sums));
    expect((await all(source.records())).map((r) => r.label)).toEqual(['negative', 'positive']);
    await writeFile(file, content.replace('good', 'g00d'));
    await expect(all(source.records())).rejects.toThrow(/SHA-256 does not match SHA256SUMS/);
  });

  it('fails a pass with no records like loadDataset', async () => {
    const path = await write('e.tsv', 'no tab\n');
    const source = await openDataset(path, { lenient: true });
    await expect(all(source.records())).rejects.toThrow(
      `${path}: no examples (all 1 records were malformed)`,
    );
  });
});

describe('datasetSource', () => {
  it('yields an in-memory dataset as records, with a digest of its content', async () => {
    const dataset = {
      name: 'mem',
      labelNames: ['neg', 'pos'],
      skipped: [{ file: 'x.tsv', line: 3, reason: 'missing label' }],
      examples: [
        { text: 'a', label: 1, split: 'test' as const },
        { text: 'b', label: 0, weight: 2 },
      ],
    };
    const source = datasetSource(dataset);
    expect([source.name, source.count, source.bytes, source.labelNames]).toEqual([
      'mem',
      2,
      undefined,
      ['neg', 'pos'],
    ]);
    const skipped: SkippedRecord[] = [];
    const progress: ReadProgress[] = [];
    expect(
      await all(
        source.records({ onSkipped: (s) => skipped.push(s), onProgress: (p) => progress.push(p) }),
      ),
    ).toEqual([
      { text: 'a', label: 'pos', split: 'test', where: 'examples[0]' },
      { text: 'b', label: 'neg', weight: 2, where: 'examples[1]' },
    ]);
    expect(skipped).toEqual(dataset.skipped);
    expect(progress).toEqual([{ bytes: 0, records: 2 }]);
    const digest = await source.digest();
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    const changed = { ...dataset, examples: [dataset.examples[0], { text: 'b', label: 1 }] };
    expect(await datasetSource(changed as typeof dataset).digest()).not.toBe(digest);
  });

  it('round-trips a loaded dataset', async () => {
    const path = await write('r.tsv', 'x y\t1\nz\t0\n');
    const loaded = await loadDataset(path);
    const records = await all(datasetSource(loaded).records());
    expect(records.map((r) => [r.text, r.label])).toEqual([
      ['x y', '1'],
      ['z', '0'],
    ]);
  });
});
