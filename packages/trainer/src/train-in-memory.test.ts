import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend as initBrowserBackend } from '@lstmkit/model/browser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { separableDataset, tinyModel } from './__fixtures__/separable.js';
import { train } from './file-run-store.js';
import { trainInMemory } from './train-in-memory.js';
import type { TrainOptions } from './types.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lstmkit-memory-'));
  // The memory store loads bundles through the browser entry; quiet its backend line here.
  await initBrowserBackend({ backend: 'wasm', log: () => {} });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const options: Omit<TrainOptions, 'outDir'> = {
  dataset: separableDataset(200, 3),
  preset: 'textbook',
  pipeline: { sequence: { length: 12, padding: 'pre', truncating: 'post' } },
  model: tinyModel,
  epochs: 2,
  learningRate: 0.02,
  seed: 5,
};

describe('trainInMemory', () => {
  it('trains exactly as train() on files: same bundle bytes, same report numbers', async () => {
    const outDir = join(root, 'files');
    const onFiles = await train({ ...options, outDir });
    const inMemory = await trainInMemory(options);

    expect(inMemory.result.test).toEqual(onFiles.test);
    expect(inMemory.result.bestEpoch).toBe(onFiles.bestEpoch);
    for (const name of ['model.json', 'weights.bin', 'preprocess.json', 'bundle.json']) {
      const bytes = new Uint8Array(await readFile(join(outDir, name)));
      expect(inMemory.bundle!.get(name), name).toEqual(bytes);
    }
    const report = JSON.parse(await readFile(onFiles.reportPath, 'utf8'));
    const memory = inMemory.report as typeof report;
    expect(memory.metrics).toEqual(report.metrics);
    expect(memory.lengths).toEqual(report.lengths);
    // The report carries what the page charts: the ROC curve and the length distribution.
    expect(report.metrics.test.rocCurve[0]).toEqual([0, 0]);
    expect(report.metrics.test.rocCurve.at(-1)).toEqual([1, 1]);
    expect(report.lengths.sequenceLength).toBe(12);
    expect(
      report.lengths.histogram.reduce((n: number, b: { count: number }) => n + b.count, 0),
    ).toBe(report.dataset.sizes.train);
  });

  it('refuses the options that read files: word vectors and the bundle to fine-tune', async () => {
    await expect(trainInMemory({ ...options, embeddings: 'vectors.txt' })).rejects.toMatchObject({
      code: 'INVALID_TRAIN_OPTIONS',
      message: expect.stringContaining("'embeddings' names the word-vector file vectors.txt"),
    });
    const { pipeline: _p, model: _m, ...rest } = options;
    await expect(trainInMemory({ ...rest, initFrom: 'models/base' })).rejects.toMatchObject({
      code: 'INVALID_TRAIN_OPTIONS',
      message: expect.stringContaining("'initFrom' names the bundle directory models/base"),
    });
  });
});
