import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Classifier, loadBundle } from '@lstmkit/model';
import type { Dataset } from '@lstmkit/preprocess';
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
let vectorsPath: string;
/** 4-d vectors for the sentiment words and some filler; 'movie' and 'phone' are missing. */
const POSITIVE = ['great', 'good', 'love', 'excellent', 'nice', 'happy', 'fine', 'wonderful'];
const NEGATIVE = ['bad', 'awful', 'hate', 'poor', 'terrible', 'sad', 'broken', 'worst'];
const fileVectors: Record<string, number[]> = {
  ...Object.fromEntries(POSITIVE.map((w, i) => [w, [1, i / 10, 0, 0.5]])),
  ...Object.fromEntries(NEGATIVE.map((w, i) => [w, [-1, i / 10, 0, -0.5]])),
  the: [0, 0, 1, 0],
  a: [0, 0, 0.9, 0.1],
};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lstmkit-features-'));
  vectorsPath = join(root, 'vectors.txt');
  const lines = Object.entries(fileVectors).map(([w, v]) => `${w} ${v.join(' ')}`);
  await writeFile(vectorsPath, `${lines.join('\n')}\n`);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const base = (name: string, overrides: Partial<TrainOptions> = {}): TrainOptions =>
  tinyRunOptions(join(root, name), overrides);

async function embeddingRows(dir: string): Promise<{ rows: Map<string, number[]> }> {
  const bundle = await loadBundle(dir);
  const weights = bundle.model.getLayer('embedding').getWeights()[0]!;
  const values = weights.arraySync() as number[][];
  const { tokens } = bundle.pipeline.vocabulary.toJSON();
  bundle.model.dispose();
  return { rows: new Map(tokens.map((t, i) => [t, values[i]!])) };
}

/** The file decides the embedding size. */
const { embeddingDim: _, ...modelWithoutEmbeddingSize } = tinyModel;

const events = () => {
  const list: TrainEvent[] = [];
  return { list, onEvent: (e: TrainEvent) => list.push(e) };
};

describe('pretrained embeddings', () => {
  it('initialise the embedding from the file, report coverage, and stay fixed when frozen', async () => {
    const { list, onEvent } = events();
    const result = await train(
      base('frozen', {
        embeddings: vectorsPath,
        freezeEmbeddings: true,
        model: modelWithoutEmbeddingSize,
        onEvent,
      }),
    );
    const announced = list.find((e) => e.type === 'embeddings');
    expect(announced).toMatchObject({
      dimensions: 4,
      coverage: {
        found: 18,
        topMissing: expect.arrayContaining([expect.objectContaining({ word: 'movie' })]),
      },
    });
    const { rows } = await embeddingRows(result.bundleDir);
    for (const [word, vector] of Object.entries(fileVectors)) {
      expect(rows.get(word)!.map((v) => +v.toFixed(5))).toEqual(vector);
    }
    expect(rows.get('<pad>')).toEqual([0, 0, 0, 0]);
    expect(result.test.accuracy).toBeGreaterThanOrEqual(0.9);
    const report = JSON.parse(await readFile(result.reportPath, 'utf8'));
    expect(report.embeddings).toMatchObject({
      format: 'glove',
      dimensions: 4,
      coverage: { found: 18 },
    });
    const bundle = await loadBundle(result.bundleDir);
    expect(bundle.modelConfig.embeddingDim).toBe(4);
    expect(bundle.training).toMatchObject({
      embeddings: { path: vectorsPath, keepMissing: 0 },
      embeddingCoverage: { format: 'glove', dimensions: 4, found: 18 },
    });
    bundle.model.dispose();
  });

  it('unfreeze after N epochs; a resume across the unfreeze and a plateau schedule is exact', async () => {
    const options: Partial<TrainOptions> = {
      embeddings: vectorsPath,
      model: modelWithoutEmbeddingSize,
      freezeEmbeddings: { epochs: 1 },
      // no evaluation beats the first by 10: the rate halves at every later one
      lrSchedule: { type: 'plateau', patience: 0, factor: 0.5, minDelta: 10 },
      evalEvery: 4,
      epochs: 3,
      patience: 0,
    };
    const straight = await train(base('unfreeze', options));
    const { rows } = await embeddingRows(straight.bundleDir);
    expect(rows.get('great')).not.toEqual(fileVectors.great);

    const controller = new AbortController();
    let steps = 0;
    await train(
      base('unfreeze-resumed', {
        ...options,
        signal: controller.signal,
        onEvent: (e) => {
          if (e.type === 'step' && ++steps === 10) controller.abort(); // the last step of epoch 1
        },
      }),
    );
    const resumed = await train(base('unfreeze-resumed', { ...options, resume: true }));
    expect(resumed.test.loss).toBeCloseTo(straight.test.loss, 5);
    const [a, b] = [
      JSON.parse(await readFile(straight.reportPath, 'utf8')),
      JSON.parse(await readFile(resumed.reportPath, 'utf8')),
    ];
    expect(b.learningRates).toEqual(a.learningRates);
    expect(a.learningRates.slice(0, 3)).toEqual([
      [0, 0.02],
      [8, 0.01],
      [10, 0.005],
    ]);
  });

  it('name a dimension clash and a missing file', async () => {
    const clash = await train(
      base('clash', { embeddings: vectorsPath, model: { ...tinyModel, embeddingDim: 8 } }),
    ).catch((e: unknown) => e);
    expect(clash).toMatchObject({
      code: 'INVALID_TRAIN_OPTIONS',
      message: expect.stringContaining('have 4 dimensions'),
    });
    const missing = await train(base('missing', { embeddings: join(root, 'none.txt') })).catch(
      (e: unknown) => e,
    );
    expect(missing).toMatchObject({ code: 'EMBEDDINGS_NOT_FOUND' });
  });
});

describe('class weights', () => {
  it('weigh the loss per class: weight 0 for a class teaches the model to never predict it', async () => {
    const ignored = await train(base('ignore-positive', { classWeight: [1, 0], epochs: 2 }));
    expect(ignored.test.recall).toBeLessThan(0.2);
    const balanced = await train(base('balanced', { classWeight: 'balanced', epochs: 2 }));
    expect(balanced.test.accuracy).toBeGreaterThanOrEqual(0.9);
    const bundle = await loadBundle(balanced.bundleDir);
    const { train: trainSplit } = hashedSplits(tinyRunOptions('x').dataset as Dataset);
    const positives = trainSplit.filter((e) => e.label === 1).length;
    const n = trainSplit.length;
    expect(bundle.training).toMatchObject({
      classWeight: 'balanced',
      classWeights: [n / (2 * (n - positives)), n / (2 * positives)],
    });
    bundle.model.dispose();
  });

  it('per-example weights of 0 leave those examples out of the loss', async () => {
    const dataset = separableDataset(400, 1);
    // every positive example weighs nothing: like class weight 0
    dataset.examples = dataset.examples.map((e) => ({ ...e, weight: e.label === 1 ? 0 : 1 }));
    const result = await train(base('example-weights', { dataset, epochs: 2 }));
    expect(result.test.recall).toBeLessThan(0.2);
  });
});

describe('decision threshold', () => {
  it("'auto' picks it on validation, stores it, and Classifier and evaluate use it", async () => {
    const dataset = separableDataset(400, 1, 0.2);
    const result = await train(
      base('auto-threshold', {
        dataset,
        threshold: 'auto',
        thresholdMetric: 'accuracy',
        epochs: 2,
      }),
    );
    const classifier = await Classifier.load(result.bundleDir);
    const threshold = classifier.bundle.threshold!;
    expect(threshold).toBe(result.threshold);
    expect(threshold).toBeGreaterThan(0);
    expect(threshold).toBeLessThan(1);
    const { test } = hashedSplits(dataset);
    const metrics = evaluate(classifier, test);
    expect(metrics.accuracy).toBe(result.test.accuracy);
    expect(metrics.confusionMatrix).toEqual(result.test.confusionMatrix);
    for (const p of classifier.predict(test.map((e) => e.text))) {
      expect(p.labelIndex).toBe(p.probability >= threshold ? 1 : 0);
    }
    classifier.dispose();
    const report = JSON.parse(await readFile(result.reportPath, 'utf8'));
    expect(report.threshold).toMatchObject({ metric: 'accuracy', threshold });
  });

  it('a fixed threshold is stored as given; more than two classes refuse one', async () => {
    const result = await train(base('fixed-threshold', { threshold: 0.7, epochs: 1 }));
    const bundle = await loadBundle(result.bundleDir);
    expect(bundle.threshold).toBe(0.7);
    bundle.model.dispose();
    const three = {
      name: 'three',
      examples: Array.from({ length: 30 }, (_, i) => ({ text: `w${i % 3}`, label: i % 3 })),
      labelNames: ['a', 'b', 'c'],
      skipped: [],
    };
    await expect(
      train(base('bad-threshold', { dataset: three, threshold: 'auto' })),
    ).rejects.toThrow("'threshold' must be left out for 3 classes");
  });
});

describe('learning rate', () => {
  it('warmup + cosine: one rate per step in events, history and report, decaying to the minimum', async () => {
    const { list, onEvent } = events();
    const result = await train(
      base('cosine', {
        lrSchedule: { type: 'cosine', minLearningRate: 0.001 },
        warmupSteps: 5,
        epochs: 2,
        onEvent,
      }),
    );
    const rates = list.flatMap((e) => (e.type === 'step' ? [e.learningRate] : []));
    expect(rates).toHaveLength(20);
    expect(rates.slice(0, 5)).toEqual(
      [0.004, 0.008, 0.012, 0.016, 0.02].map((r) => expect.closeTo(r, 12)),
    );
    // the decay spans steps 5..19 of 20: step 20 would be at the minimum
    expect(rates[19]).toBeCloseTo(0.001 + 0.019 * 0.5 * (1 + Math.cos((Math.PI * 14) / 15)), 12);
    const report = JSON.parse(await readFile(result.reportPath, 'utf8'));
    // change points only: the last warmup step and the first cosine step share the peak
    const series: [number, number][] = report.learningRates;
    const perStep = rates.map((_, step) => series.filter(([s]) => s <= step).at(-1)![1]);
    expect(perStep).toEqual(rates);
    expect(series).toHaveLength(19);
    const history = (await readFile(result.historyPath, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(history.map((r) => r.learningRate)).toEqual([rates[9], rates[19]]);
    expect(await readFile(result.plotPath, 'utf8')).toContain('learning rate');
  });

  it('weight decay (AdamW) shrinks the weights against plain Adam', async () => {
    const norm = async (dir: string) => {
      const bundle = await loadBundle(dir);
      const total = tf.tidy(() =>
        bundle.model
          .getWeights()
          .reduce((s, w) => s + (tf.sum(tf.square(w)).arraySync() as number), 0),
      );
      bundle.model.dispose();
      return total;
    };
    const options = { dataset: randomLabelDataset(200, 2), epochs: 2, patience: 0 };
    const plain = await train(base('adam', options));
    const decayed = await train(base('adamw', { ...options, weightDecay: 0.5 }));
    expect(await norm(decayed.bundleDir)).toBeLessThan((await norm(plain.bundleDir)) * 0.9);
  });
});

describe('fine-tuning (initFrom)', () => {
  it("starts from a bundle's weights and vocabulary; labels are matched by name", async () => {
    const first = await train(base('parent', { epochs: 2 }));
    const parent = await loadBundle(first.bundleDir);
    // new words, and the labels in the other order
    const shifted = separableDataset(200, 9);
    const dataset = {
      ...shifted,
      labelNames: ['positive', 'negative'],
      examples: shifted.examples.map((e) => ({ text: `${e.text} brandnew`, label: 1 - e.label })),
    };
    const { list, onEvent } = events();
    const tuned = await train(
      base('child', {
        dataset,
        initFrom: first.bundleDir,
        pipeline: undefined,
        model: undefined,
        epochs: 1,
        learningRate: 0.001,
        onEvent,
      }),
    );
    const child = await loadBundle(tuned.bundleDir);
    expect(child.labelNames).toEqual(parent.labelNames);
    expect(child.pipeline.toJSON().vocabulary).toEqual(parent.pipeline.toJSON().vocabulary);
    expect(child.pipeline.vocabulary.id('brandnew')).toBe(1);
    // it starts where the parent was: accurate before much training
    const firstEvaluation = list.find((e) => e.type === 'evaluation');
    expect(
      firstEvaluation?.type === 'evaluation' && firstEvaluation.validation.accuracy,
    ).toBeGreaterThanOrEqual(0.9);
    parent.model.dispose();
    child.model.dispose();

    const other = { ...dataset, labelNames: ['positive', 'neutral'] };
    const mismatch = await train(
      base('child-bad', {
        dataset: other,
        initFrom: first.bundleDir,
        pipeline: undefined,
        model: undefined,
      }),
    ).catch((e: unknown) => e);
    expect(mismatch).toMatchObject({
      code: 'LABEL_MISMATCH',
      message: expect.stringContaining("not in the bundle: 'neutral'; not in the data: 'negative'"),
    });
  });
});
