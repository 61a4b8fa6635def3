import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sentences, trainTiny } from './__fixtures__/tiny-bundle';
import { initBackend } from './backend';
import { saveBundle } from './bundle';
import { Classifier } from './classifier';

const quiet = () => {};
let root: string;
let binaryDir: string;
let multiDir: string;

beforeAll(async () => {
  await initBackend({ backend: 'wasm', log: quiet });
  root = await mkdtemp(join(tmpdir(), 'lstmkit-classifier-'));
  binaryDir = join(root, 'binary');
  multiDir = join(root, 'multi');
  for (const [dir, options] of [
    [binaryDir, { arch: 'bilstm', head: 'last' }],
    [multiDir, { numClasses: 3, head: 'pool' }],
  ] as const) {
    const contents = await trainTiny(options);
    await saveBundle(dir, contents);
    contents.model.dispose();
  }
});

afterAll(async () => {
  await initBackend({ backend: 'wasm', log: quiet });
  await rm(root, { recursive: true, force: true });
});

describe('Classifier', () => {
  it('binary: probability is P(labelNames[1]), probabilities sum to 1', async () => {
    const classifier = await Classifier.load(binaryDir);
    const [positive, negative] = classifier.predict(['good and great', 'poor and dull']);
    expect(positive!.label).toBe('positive');
    expect(positive!.labelIndex).toBe(1);
    expect(positive!.probability).toBeGreaterThan(0.5);
    expect(negative!.label).toBe('negative');
    expect(negative!.probability).toBeLessThan(0.5);
    expect(negative!.probabilities[0]! + negative!.probabilities[1]!).toBeCloseTo(1, 6);
    expect(negative!.probabilities[1]).toBe(negative!.probability);
    expect(classifier.predict([])).toEqual([]);
    classifier.dispose();
  });

  it('multi-class: top class with its probability; batch size does not change results', async () => {
    const classifier = await Classifier.load(multiDir);
    const one = classifier.predict(sentences, { batchSize: 1 });
    const all = classifier.predict(sentences, { batchSize: 256 });
    for (const [i, p] of all.entries()) {
      expect(p.probabilities).toHaveLength(3);
      expect(p.probability).toBe(Math.max(...p.probabilities));
      expect(p.label).toBe(classifier.bundle.labelNames[p.labelIndex]);
      for (let k = 0; k < 3; k++)
        expect(Math.abs(p.probabilities[k]! - one[i]!.probabilities[k]!)).toBeLessThan(1e-6);
    }
    expect(() => classifier.predict(['x'], { batchSize: 0 })).toThrow(
      /batchSize must be a positive integer/,
    );
    classifier.dispose();
    expect(() => classifier.predict(['x'])).toThrow(/was disposed/);
  });

  it('an empty text (all padding) gets a finite answer', async () => {
    const classifier = await Classifier.load(multiDir);
    const [empty] = classifier.predict(['']);
    expect(empty!.probabilities.every(Number.isFinite)).toBe(true);
    classifier.dispose();
  });

  it('counts the known tokens of each text; 0 when nothing is in the vocabulary', async () => {
    const classifier = await Classifier.load(binaryDir);
    const counts = classifier
      .predict(['good and great', 'good zzzunseen', '👍👍', '!!!', '\u200b', '\u0000', ''])
      .map((p) => p.knownTokens);
    expect(counts).toEqual([3, 1, 0, 0, 0, 0, 0]);
    classifier.dispose();
  });

  it('keeps tf.memory().numTensors flat across repeated predict calls', async () => {
    const classifier = await Classifier.load(binaryDir);
    classifier.predict(sentences);
    const tensors = tf.memory().numTensors;
    for (let i = 0; i < 5; i++)
      classifier.predict([...sentences, 'an unseen word'], { batchSize: 3 });
    expect(tf.memory().numTensors).toBe(tensors);
    classifier.dispose();
    expect(tf.memory().numTensors).toBeLessThan(tensors);
  });

  it('cpu and wasm give the same probabilities within 1e-5', async () => {
    const texts = [...sentences, 'good but dull', ''];
    const run = async (backend: 'cpu' | 'wasm', dir: string) => {
      await initBackend({ backend, log: quiet });
      const classifier = await Classifier.load(dir);
      const result = classifier.predict(texts).flatMap((p) => p.probabilities);
      classifier.dispose();
      return result;
    };
    for (const dir of [binaryDir, multiDir]) {
      const wasm = await run('wasm', dir);
      const cpu = await run('cpu', dir);
      expect(cpu).toHaveLength(wasm.length);
      for (const [i, value] of cpu.entries()) expect(Math.abs(value - wasm[i]!)).toBeLessThan(1e-5);
    }
  });
});
