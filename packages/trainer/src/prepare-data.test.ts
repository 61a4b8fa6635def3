import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { datasetSource, TextPipeline } from '@lstmkit/preprocess';
import { openDataset } from '@lstmkit/preprocess/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { separableDataset } from './__fixtures__/separable.js';
import { type RunOverrides, resolveRunConfig } from './config.js';
import { fileDataStore } from './file-data-store.js';
import { type DataInputs, encodeData, fitData } from './prepare-data.js';
import type { PassEvent } from './types.js';

let root: string;
let file: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lstmkit-prepare-'));
  file = join(root, 'reviews.ft');
  const { examples } = separableDataset(600, 2);
  await writeFile(file, examples.map((e) => `__label__${e.label + 1} ${e.text}`).join('\n'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const sha256 = (parts: Iterable<string>) => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex');
};

async function prepare(
  dir: string,
  overrides: RunOverrides = {},
  adapt: (pipeline: TextPipeline) => TextPipeline = (pipeline) => pipeline,
  shardRows = 100,
) {
  const events: PassEvent[] = [];
  const inputs: DataInputs = {
    source: await openDataset(file),
    config: resolveRunConfig({ preset: 'textbook', seed: 3, ...overrides }),
    store: fileDataStore(join(root, dir)),
    hash: sha256,
    onEvent: (e) => events.push(e),
    shardRows,
  };
  const fitted = await fitData(inputs);
  const data = await encodeData(inputs, fitted, adapt(fitted.pipeline));
  const cached = events.filter((e) => e.cached).map((e) => e.pass);
  return { data, cached, events };
}

describe('prepared data', () => {
  it('streams a file into shards with the labels, sizes and vocabulary of the whole data', async () => {
    const { data, cached, events } = await prepare('a.data');
    expect(cached).toEqual([]);
    const { splits } = data.manifest;
    expect(splits.train.rows + splits.validation.rows + splits.test.rows).toBe(600);
    expect(splits.train.shards.map((s) => s.rows).slice(0, 4)).toEqual([100, 100, 100, 100]);
    expect(data.labelNames).toEqual(['1', '2']);
    expect(splits.train.labelCounts.reduce((a, b) => a + b)).toBe(splits.train.rows);
    // progress in bytes of the file, and the pass ends at its size
    const encodeEnd = events.find((e) => e.pass === 'encode' && e.finished)!;
    expect(encodeEnd).toMatchObject({ unit: 'bytes', done: encodeEnd.total });
    // pass 1 fits the vocabulary on the train split only: as fitting the train texts directly
    const source = await openDataset(file);
    const trainTexts: string[] = [];
    const { splitOfRecord } = await import('@lstmkit/preprocess');
    for await (const r of source.records()) {
      if (splitOfRecord(r, 3, [0.8, 0.1, 0.1]) === 'train') trainTexts.push(r.text);
    }
    const direct = TextPipeline.fit(trainTexts, data.pipeline.config);
    expect(data.pipeline.toJSON()).toEqual(direct.toJSON());
    expect(data.trainLengths.count).toBe(trainTexts.length);
  });

  it('is reused by a run with the same data and recipe, re-encoded when the recipe changes', async () => {
    await prepare('b.data');
    const files = await readdir(join(root, 'b.data'));
    expect(files).toContain('manifest.json');
    expect((await prepare('b.data')).cached).toEqual(['count', 'encode']);
    // the pipeline config is part of pass 1's key: another sequence length runs both passes
    const longer = await prepare('b.data', { pipeline: { sequence: { length: 20 } } });
    expect(longer.cached).toEqual([]);
    // another vocabulary (as pretrained vectors leave it) re-encodes, reusing pass 1
    const fewerWords = (pipeline: TextPipeline) => {
      const json = pipeline.toJSON();
      const tokens = json.vocabulary.tokens.slice(0, 6);
      const vocabulary = {
        ...json.vocabulary,
        tokens,
        counts: json.vocabulary.counts?.slice(0, 6),
      };
      return TextPipeline.fromJSON({ ...json, vocabulary });
    };
    const smaller = await prepare('b.data', { pipeline: { sequence: { length: 20 } } }, fewerWords);
    expect(smaller.cached).toEqual(['count']);
    expect(smaller.data.pipeline.vocabulary.size).toBe(6);
    // a validation bound moves records between validation and train: both passes again
    const bounded = await prepare('b.data', {
      pipeline: { sequence: { length: 20 } },
      maxValidation: 10,
    });
    expect(bounded.cached).toEqual([]);
    expect(bounded.data.manifest.splits.validation.rows).toBe(10);
    // the validation records beyond the cap are trained on: no record is left out
    const { splits } = bounded.data.manifest;
    expect(bounded.data.manifest.validationToTrain).toBeGreaterThan(30);
    expect(splits.train.rows + splits.validation.rows + splits.test.rows).toBe(600);
    expect(bounded.data.trainLengths.count).toBe(splits.train.rows);
  });

  it('encodes again when an earlier encoding stopped before its manifest', async () => {
    await prepare('c.data');
    // what a crash in pass 2 leaves: shards, no manifest
    await rm(join(root, 'c.data', 'manifest.json'));
    const again = await prepare('c.data');
    expect(again.cached).toEqual([]);
    const manifest = JSON.parse(await readFile(join(root, 'c.data', 'manifest.json'), 'utf8'));
    expect(manifest.encodeKey).toBe(again.data.encodeKey);
  });

  it('holds a bounded validation set and keeps labels of data in memory', async () => {
    const dataset = separableDataset(300, 4);
    const events: PassEvent[] = [];
    const inputs: DataInputs = {
      source: datasetSource(dataset),
      config: resolveRunConfig({ preset: 'textbook', maxValidation: 5 }),
      store: fileDataStore(join(root, 'd.data')),
      hash: sha256,
      onEvent: (e) => events.push(e),
    };
    const fitted = await fitData(inputs);
    const data = await encodeData(inputs, fitted, fitted.pipeline);
    expect(data.labelNames).toEqual(['negative', 'positive']);
    expect(data.manifest.splits.validation.rows).toBe(5);
    // in memory, progress counts records
    expect(events.find((e) => e.pass === 'count')).toMatchObject({ unit: 'rows', total: 300 });
  });
});
