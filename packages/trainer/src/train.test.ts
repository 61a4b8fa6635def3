import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Classifier, loadBundle, lockDirectory } from '@lstmkit/model';
import { type Dataset, isLstmkitError, splitDataset } from '@lstmkit/preprocess';
import { openDataset } from '@lstmkit/preprocess/node';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  hashedSplits,
  randomLabelDataset,
  separableDataset,
  tinyModel,
  tinyRunOptions,
} from './__fixtures__/separable.js';
import { evaluate } from './evaluate.js';
import { train } from './file-run-store.js';
import type { TrainEvent, TrainOptions } from './types.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lstmkit-trainer-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const base = (name: string, overrides: Partial<TrainOptions> = {}): TrainOptions =>
  tinyRunOptions(join(root, name), overrides);

/** The tiny run's splits (seed 7, 80/10/10) and its steps per epoch at batch 32. */
const sizes = (() => {
  const splits = hashedSplits(tinyRunOptions('unused').dataset as Dataset);
  return {
    splits,
    train: splits.train.length,
    validation: splits.validation.length,
    test: splits.test.length,
    stepsPerEpoch: Math.ceil(splits.train.length / 32),
  };
})();

function collect(): { events: TrainEvent[]; onEvent: (e: TrainEvent) => void } {
  const events: TrainEvent[] = [];
  return { events, onEvent: (e) => events.push(e) };
}

describe('train never deletes what it did not write', () => {
  it.each([
    ['--out', (out: string) => out],
    ['its run state', (out: string) => `${out}.run`],
    ['its report', (out: string) => `${out}.report`],
    ['its encoded data', (out: string) => `${out}.data`],
  ])('refuses user files in %s before training, naming them', async (_, where) => {
    const out = join(root, `foreign-${Math.random().toString(36).slice(2)}`);
    await mkdir(where(out), { recursive: true });
    await writeFile(join(where(out), 'thesis.txt'), 'precious');
    const { events, onEvent } = collect();
    const error = await train(base('unused', { outDir: out, onEvent })).catch((e) => e);
    expect(error.code).toBe('INVALID_OUTPUT_DIR');
    expect(error.message).toContain('thesis.txt');
    expect(events).toEqual([]);
    expect(await readFile(join(where(out), 'thesis.txt'), 'utf8')).toBe('precious');
  });

  it('fails before training when the output cannot be written', async () => {
    const file = join(root, 'a-file');
    await writeFile(file, 'x');
    const { events, onEvent } = collect();
    const error = await train(base('unused', { outDir: join(file, 'model'), onEvent })).catch(
      (e) => e,
    );
    expect(error.code).toBe('INVALID_OUTPUT_DIR');
    expect(error.message).toMatch(/Cannot write the output beside .*a-file/);
    expect(events).toEqual([]);
  });

  it('resumes after a crash between the two renames of a checkpoint save', async () => {
    const controller = new AbortController();
    const outDir = join(root, 'crashed-save');
    const first = await train(
      base('crashed-save', {
        evalEvery: 4,
        signal: controller.signal,
        onEvent: (e) => {
          if (e.type === 'checkpoint') controller.abort();
        },
      }),
    );
    expect(first.interrupted).toBe(true);
    // What kill -9 after `rename(dir, dir.previous)` and before `rename(temp, dir)` leaves.
    await rename(outDir, `${outDir}.previous`);
    const resumed = await train(base('crashed-save', { evalEvery: 4, resume: true }));
    expect(resumed.interrupted).toBe(false);
    expect(resumed.test.count).toBeGreaterThan(0);
    expect(await readdir(root)).not.toContain('crashed-save.previous');
  });

  it('refuses a second writer of the same --out, and releases its own lock', async () => {
    const outDir = join(root, 'two-runs');
    const release = await lockDirectory(outDir, 'model bundle');
    const error = await train(base('two-runs')).catch((e) => e);
    expect(error.code).toBe('OUTPUT_IN_USE');
    await release();
    await train(base('two-runs', { epochs: 1 }));
    expect(await readdir(root)).not.toContain('two-runs.lock');
    expect(await readdir(outDir)).toContain('manifest.json');
  });
});

describe('train', () => {
  it('records the split in the bundle, so the test set can be recreated from it', async () => {
    const options = base('split-record', { epochs: 1, split: { fractions: [0.6, 0.2, 0.2] } });
    const result = await train(options);
    const bundle = await loadBundle(result.bundleDir);
    bundle.model.dispose();
    expect(bundle.training).toMatchObject({
      dataset: 'separable',
      preset: 'textbook',
      seed: 7,
      split: { source: 'hashed', seed: 7, fractions: [0.6, 0.2, 0.2] },
    });
    const recreated = hashedSplits(options.dataset as Dataset, 7, [0.6, 0.2, 0.2]);
    expect(recreated.test).toHaveLength(result.test.count);
    // 20% of 400, give or take the hash
    expect(result.test.count).toBeGreaterThan(60);
    expect(result.test.count).toBeLessThan(100);
  });

  it('records splits given by the caller as given, not as a seed that did not make them', async () => {
    const splits = splitDataset(separableDataset(400, 1).examples, { seed: 3 });
    const result = await train(base('given-splits', { epochs: 1, splits }));
    const bundle = await loadBundle(result.bundleDir);
    bundle.model.dispose();
    expect(bundle.training).toMatchObject({ seed: 7, split: { source: 'given' } });
  });

  it('learns separable data, keeps the best bundle, writes the report, leaks no tensors', async () => {
    const { events, onEvent } = collect();
    const tensorsAtEpochEnd: number[] = [];
    const result = await train(
      base('e2e', {
        onEvent: (e) => {
          onEvent(e);
          if (e.type === 'epoch') tensorsAtEpochEnd.push(tf.memory().numTensors);
        },
      }),
    );
    expect(result.interrupted).toBe(false);
    expect(result.epochsRun).toBe(3);
    expect(result.test.count).toBe(sizes.test);
    expect(result.test.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(result.validation.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(new Set(tensorsAtEpochEnd).size).toBe(1);

    // events: start first, end last, a checkpoint right after each improving evaluation
    // the passes over the data come first: digest, count, encode
    expect(
      events.slice(0, 6).map((e) => e.type === 'pass' && [e.pass, e.finished ?? false]),
    ).toEqual([
      ['digest', false],
      ['digest', true],
      ['count', false],
      ['count', true],
      ['encode', false],
      ['encode', true],
    ]);
    expect(events.find((e) => e.type === 'start')).toMatchObject({
      type: 'start',
      stepsPerEpoch: sizes.stepsPerEpoch,
      trainSize: sizes.train,
      validationSize: sizes.validation,
      // preset values, the options' overrides and the trainer's defaults, resolved
      config: {
        preset: 'textbook',
        model: { ...tinyModel, seed: 7 },
        pipeline: { sequence: { length: 16, padding: 'pre' } },
        batchSize: 32,
        learningRate: 0.02,
        epochs: 3,
        patience: 3,
        seed: 7,
      },
    });
    expect(events.at(-1)).toMatchObject({ type: 'end', result });
    expect(events.filter((e) => e.type === 'step')).toHaveLength(3 * sizes.stepsPerEpoch);
    const evaluations = events.filter((e) => e.type === 'evaluation');
    expect(evaluations).toHaveLength(3);
    events.forEach((e, i) => {
      if (e.type === 'evaluation') expect(events[i + 1]?.type === 'checkpoint').toBe(e.improved);
    });

    // the bundle is the best checkpoint; Classifier + evaluate() agree with the trainer's numbers
    const classifier = await Classifier.load(result.bundleDir);
    const metrics = evaluate(classifier, sizes.splits.test);
    expect(metrics.accuracy).toBe(result.test.accuracy);
    expect(metrics.loss).toBeCloseTo(result.test.loss, 5);
    expect(classifier.bundle.metrics).toMatchObject({ test: { count: sizes.test } });
    classifier.dispose();

    const report = JSON.parse(await readFile(result.reportPath, 'utf8'));
    expect(report).toMatchObject({
      status: 'complete',
      dataset: {
        sizes: { train: sizes.train, validation: sizes.validation, test: sizes.test },
        records: 400,
        cached: false,
      },
      config: { batchSize: 32, model: { hiddenSize: 8 }, split: { source: 'hashed', seed: 7 } },
      vocabularySize: expect.any(Number),
      metrics: { test: { accuracy: result.test.accuracy } },
    });
    expect(report.padding.trimmed).toBeLessThan(report.padding.full);
    const history = (await readFile(result.historyPath, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(history.map((r) => r.epoch)).toEqual([1, 2, 3]);
    expect(await readFile(result.plotPath, 'utf8')).toContain('<polyline');
    // a finished run leaves no resumable state, and nothing but the bundle in the bundle dir
    await expect(readdir(`${result.bundleDir}.run`)).rejects.toThrow();
    expect(await readdir(result.bundleDir)).not.toContain('report.json');
    expect((await readdir(`${result.bundleDir}.data`)).sort()).toEqual([
      'manifest.json',
      'pipeline.json',
      'test-00000.bin',
      'train-00000.bin',
      'validation-00000.bin',
    ]);
    expect((await readdir(`${result.bundleDir}.report`)).sort()).toEqual([
      'history.jsonl',
      'report.json',
      'training.svg',
    ]);
  });

  it('resumes an interrupted run bit for bit, wherever it stopped', async () => {
    const options = {
      model: { ...tinyModel, dropout: 0.3 }, // dropout masks must replay too
      evalEvery: 4,
    };
    const stepLosses = (events: TrainEvent[]) =>
      events.flatMap((e) => (e.type === 'step' ? [e.loss] : []));
    const straightEvents = collect();
    const straight = await train(base('straight', { ...options, onEvent: straightEvents.onEvent }));
    const straightWeights = await readFile(join(straight.bundleDir, 'weights.bin'));

    // 15 and 25: where tfjs's own Adam.setWeights (beta^t by pow) drifted in the last bit
    for (const at of [13, 15, 25]) {
      const controller = new AbortController();
      let steps = 0;
      const first = await train(
        base(`resumed-${at}`, {
          ...options,
          signal: controller.signal,
          onEvent: (e) => {
            if (e.type === 'step' && ++steps === at) controller.abort();
          },
        }),
      );
      expect(first.interrupted).toBe(true);
      expect(first.test.count).toBe(0);
      const spe = sizes.stepsPerEpoch;
      const stoppedAt = { epoch: Math.ceil(at / spe), step: at - spe * Math.floor((at - 1) / spe) };
      expect(first.stoppedAt).toEqual({ ...stoppedAt, stepsPerEpoch: spe, globalStep: at });

      const { events, onEvent } = collect();
      const resumed = await train(base(`resumed-${at}`, { ...options, resume: true, onEvent }));
      expect(resumed.interrupted).toBe(false);
      expect(events.find((e) => e.type === 'start')).toMatchObject({
        resumedFrom: first.stoppedAt,
      });
      // the encoded data is reused: neither pass reads the records again
      expect(
        events.filter((e) => e.type === 'pass' && e.cached).map((e) => e.type === 'pass' && e.pass),
      ).toEqual(['count', 'encode']);
      // where the straight run ended too (an early stop included)
      expect(resumed.stoppedAt).toEqual(straight.stoppedAt);
      expect(stepLosses(events)).toEqual(stepLosses(straightEvents.events).slice(at));
      expect(resumed.bestEpoch).toBe(straight.bestEpoch);
      expect(resumed.test).toEqual(straight.test);
      expect(resumed.validation).toEqual(straight.validation);
      expect((await readFile(join(resumed.bundleDir, 'weights.bin'))).equals(straightWeights)).toBe(
        true,
      );
      const historyOf = async (path: string) =>
        (await readFile(path, 'utf8')).trim().split('\n').length;
      expect(await historyOf(resumed.historyPath)).toBe(await historyOf(straight.historyPath));
    }
  });

  it('streams a file, and resumes mid-epoch from its encoded data to the uninterrupted result', async () => {
    const file = join(root, 'reviews.ft');
    const { examples } = separableDataset(400, 1);
    await writeFile(file, examples.map((e) => `__label__${e.label} ${e.text}`).join('\n'));
    const options = (name: string, more: Partial<TrainOptions> = {}) =>
      base(name, { model: { ...tinyModel, dropout: 0.3 }, evalEvery: 4, ...more });
    const straight = await train(options('file-straight', { dataset: await openDataset(file) }));
    expect(straight.labelNames).toEqual(['0', '1']);

    const controller = new AbortController();
    let steps = 0;
    const first = await train(
      options('file-resumed', {
        dataset: await openDataset(file),
        signal: controller.signal,
        onEvent: (e) => {
          if (e.type === 'step' && ++steps === 17) controller.abort();
        },
      }),
    );
    expect(first.interrupted).toBe(true);
    const { events, onEvent } = collect();
    const resumed = await train(
      options('file-resumed', { dataset: await openDataset(file), resume: true, onEvent }),
    );
    expect(events.filter((e) => e.type === 'pass' && e.cached).length).toBe(2);
    expect(resumed.test).toEqual(straight.test);
    const weights = (dir: string) => readFile(join(dir, 'weights.bin'));
    expect((await weights(resumed.bundleDir)).equals(await weights(straight.bundleDir))).toBe(true);
  });

  it('stops early, checkpoints only on improvement and restores the best epoch', async () => {
    const { events, onEvent } = collect();
    const result = await train(
      base('early', {
        dataset: randomLabelDataset(400, 3),
        learningRate: 0.05,
        epochs: 12,
        patience: 2,
        onEvent,
      }),
    );
    expect(result.stoppedEarly).toBe(true);
    expect(result.epochsRun).toBeLessThan(12);
    const evaluations = events.filter((e) => e.type === 'evaluation');
    const checkpoints = events.filter((e) => e.type === 'checkpoint');
    expect(checkpoints.map((c) => c.epoch)).toEqual(
      evaluations.filter((e) => e.improved).map((e) => e.epoch),
    );
    expect(evaluations.slice(-2).every((e) => !e.improved)).toBe(true);
    expect(events.find((e) => e.type === 'early-stop')).toEqual({
      type: 'early-stop',
      epoch: result.epochsRun,
      bestEpoch: result.bestEpoch,
    });
    const best = evaluations.find((e) => e.epoch === result.bestEpoch)!;
    // the restored weights are those of the best evaluation
    expect(result.validation.loss).toBeCloseTo(best.validation.loss, 5);
    const bundle = await loadBundle(result.bundleDir);
    expect(bundle.training).toMatchObject({ epoch: result.bestEpoch });
    bundle.model.dispose();
  });

  it('trains more than two classes with softmax and categorical cross-entropy', async () => {
    const words = [
      ['red', 'crimson'],
      ['green', 'lime'],
      ['blue', 'navy'],
    ];
    const examples = Array.from({ length: 300 }, (_, i) => {
      const label = i % 3;
      const word = words[label]![(i >> 2) % 2]!;
      return { text: `the ${word} one ${i % 5 === 0 ? 'is here' : ''}`, label };
    });
    const dataset = { name: 'colors', examples, labelNames: ['red', 'green', 'blue'], skipped: [] };
    const result = await train(base('three', { dataset, epochs: 4, learningRate: 0.05 }));
    expect(result.test.confusionMatrix).toHaveLength(3);
    expect(result.test.rocAuc).toBeUndefined();
    expect(result.test.accuracy).toBeGreaterThanOrEqual(0.9);
  });

  it('refuses to resume from a damaged run state', async () => {
    const outDir = join(root, 'damaged');
    await mkdir(`${outDir}.run`, { recursive: true });
    await writeFile(join(`${outDir}.run`, 'state.json'), '{"formatVersion": 2, "finger');
    const error = await train(base('damaged', { resume: true })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'RUN_STATE_CORRUPT' });
    expect((error as Error).message).toContain('state.json is not valid JSON');
  });

  it('names the bad option and its limit', async () => {
    const attempt = (o: Partial<TrainOptions>) => train(base('bad', o)).catch((e: unknown) => e);
    const error = await attempt({ batchSize: 0 });
    expect(isLstmkitError(error) && error.code).toBe('INVALID_TRAIN_OPTIONS');
    expect((error as Error).message).toMatch(
      /'batchSize' must be an integer from 1 to 65536, got 0/,
    );
    expect(((await attempt({ learningRate: -1 })) as Error).message).toMatch(/learningRate/);
    const badLabel = separableDataset(20, 1);
    badLabel.examples[3]!.label = 5;
    expect(await attempt({ dataset: badLabel })).toMatchObject({ code: 'INVALID_DATASET' });
  });
});
