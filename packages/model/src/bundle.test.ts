import { createHash } from 'node:crypto';
import { cp, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLstmkitError, type PipelineJSON } from '@lstmkit/preprocess';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sentences, trainTiny } from './__fixtures__/tiny-bundle';
import { initBackend } from './backend';
import { type BundleContents, type BundleManifest, loadBundle, saveBundle } from './bundle';
import { Classifier } from './classifier';
import { FusedLSTM } from './fused/fused-lstm-layer';
import type { ModelConfig } from './model-config';

const StockLSTM = tf.serialization.SerializationMap.getMap().classNameMap.LSTM![0];

let root: string;
let lstm: BundleContents;
let bilstm: BundleContents;
let lstmDir: string;

const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8'));
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Rewrites one file and its manifest entry, as a careful tamperer (or a bug) would. */
async function rewrite<T>(dir: string, name: string, edit: (json: T) => void): Promise<void> {
  const json: T = await readJson(join(dir, name));
  edit(json);
  const bytes = Buffer.from(JSON.stringify(json));
  await writeFile(join(dir, name), bytes);
  const manifest: BundleManifest = await readJson(join(dir, 'manifest.json'));
  manifest.files[name] = { sha256: sha256(bytes), size: bytes.length };
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
}

async function copyOfBundle(): Promise<string> {
  const dir = await mkdtemp(join(root, 'copy-'));
  await cp(lstmDir, dir, { recursive: true });
  return dir;
}

async function loadError(dir: string): Promise<{ code: string; message: string; hint?: string }> {
  const error = await loadBundle(dir).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isLstmkitError(error)) throw new Error(`expected an LstmkitError, got ${String(error)}`);
  return error;
}

/** The bundle's model.json and weights.bin through stock tfjs alone. */
async function loadStock(dir: string): Promise<tf.LayersModel> {
  const modelJson = await readJson(join(dir, 'model.json'));
  const weights = await readFile(join(dir, 'weights.bin'));
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: modelJson.modelTopology,
      weightSpecs: modelJson.weightsManifest[0].weights,
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.length),
    }),
  );
}

function directProbabilities(contents: BundleContents, texts: string[]): number[] {
  return tf.tidy(() => {
    const { data, shape } = contents.pipeline.encodeBatch(texts);
    const out = contents.model.predict(tf.tensor2d(data, shape, 'int32')) as tf.Tensor;
    return Array.from(out.dataSync());
  });
}

beforeAll(async () => {
  await initBackend({ backend: 'wasm', log: () => {} });
  root = await mkdtemp(join(tmpdir(), 'lstmkit-bundle-'));
  lstm = await trainTiny();
  bilstm = await trainTiny({ arch: 'bilstm', head: 'pool', padding: 'post' });
  lstmDir = join(root, 'lstm');
  await saveBundle(lstmDir, lstm);
});

afterAll(async () => {
  lstm.model.dispose();
  bilstm.model.dispose();
  await rm(root, { recursive: true, force: true });
});

describe('saveBundle / loadBundle', () => {
  it('writes the documented files, hashed in the manifest', async () => {
    expect((await readdir(lstmDir)).sort()).toEqual([
      'bundle.json',
      'manifest.json',
      'model.json',
      'preprocess.json',
      'weights.bin',
    ]);
    const manifest: BundleManifest = await readJson(join(lstmDir, 'manifest.json'));
    expect(manifest.formatVersion).toBe(1);
    expect(Object.keys(manifest.files).sort()).toEqual([
      'bundle.json',
      'model.json',
      'preprocess.json',
      'weights.bin',
    ]);
    const weights = await readFile(join(lstmDir, 'weights.bin'));
    expect(manifest.files['weights.bin']).toEqual({
      sha256: sha256(weights),
      size: weights.length,
    });
    expect(weights.length).toBe(lstm.model.countParams() * 4);
    expect(manifest.libraries['@tensorflow/tfjs']).toBe('4.22.0');
    const modelJson = await readJson(join(lstmDir, 'model.json'));
    expect(modelJson.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(modelJson.userDefinedMetadata.formatVersion).toBe(1);
    expect(modelJson.userDefinedMetadata.vocabHash).toMatch(/^[0-9a-f]{64}$/);
    const info = await readJson(join(lstmDir, 'bundle.json'));
    expect(info.labelNames).toEqual(['negative', 'positive']);
    expect(info.training).toEqual({ epochs: 8 });
  });

  it.each([
    ['lstm/last', () => lstm],
    ['bilstm/pool', () => bilstm],
  ])('%s: a round trip gives identical predictions', async (name, contents) => {
    const dir = join(root, `round-trip-${name.replace('/', '-')}`);
    await saveBundle(dir, contents());
    const classifier = await Classifier.load(dir);
    const expected = directProbabilities(contents(), sentences);
    const predictions = classifier.predict(sentences, { batchSize: 3 });
    // Same layers as the trained model (fused by default): float rounding at most.
    predictions.forEach((p, i) => {
      expect(p.probability).toBeCloseTo(expected[i]!, 6);
    });
    // The toy task is learnt: the first half is positive.
    expect(predictions.map((p) => p.label)).toEqual([
      ...Array(4).fill('positive'),
      ...Array(4).fill('negative'),
    ]);
    expect(classifier.bundle.modelConfig).toEqual(contents().modelConfig);
    expect(classifier.bundle.pipeline.toJSON()).toEqual(contents().pipeline.toJSON());
    classifier.dispose();
  });

  it('stays loadable by stock tf.loadLayersModel (last head)', async () => {
    const model = await loadStock(lstmDir);
    const contents = { ...lstm, model };
    const stock = directProbabilities(contents, sentences);
    // Stock layers against the fused ones the model was created with: float rounding only.
    directProbabilities(lstm, sentences).forEach((p, i) => {
      expect(stock[i]).toBeCloseTo(p, 6);
    });
    model.dispose();
  });

  it.each([
    ['lstm', 'fused', FusedLSTM],
    ['lstm', 'tfjs', StockLSTM],
    ['bilstm', 'fused', FusedLSTM],
    ['bilstm', 'tfjs', StockLSTM],
  ] as const)(
    '%s, kernel %s: a loaded bundle runs the configured LSTM layers, equal to stock within 1e-5',
    async (arch, kernel, layerClass) => {
      const contents = arch === 'lstm' ? lstm : bilstm;
      const dir = join(root, `kernel-${arch}-${kernel}`);
      await saveBundle(dir, { ...contents, modelConfig: { ...contents.modelConfig, kernel } });
      const before = tf.memory().numTensors;
      const loaded = await loadBundle(dir);
      const lstms = loaded.model.layers
        .flatMap((layer) => {
          const inner = layer as unknown as {
            forwardLayer?: tf.layers.Layer;
            backwardLayer?: tf.layers.Layer;
          };
          return inner.forwardLayer ? [inner.forwardLayer, inner.backwardLayer!] : [layer];
        })
        .filter((layer) => layer.getClassName() === 'LSTM');
      expect(lstms).toHaveLength(arch === 'lstm' ? 1 : 2);
      for (const layer of lstms) expect(layer.constructor).toBe(layerClass);
      const stock = await loadStock(dir);
      const texts = [...sentences, 'good', 'an unseen sentence with good and bad words'];
      const fromBundle = directProbabilities(loaded, texts);
      const fromStock = directProbabilities({ ...loaded, model: stock }, texts);
      fromBundle.forEach((p, i) => {
        expect(Math.abs(p - fromStock[i]!)).toBeLessThan(1e-5);
      });
      stock.dispose();
      loaded.model.dispose();
      expect(tf.memory().numTensors).toBe(before);
    },
  );

  it('replaces an existing bundle and leaves no temporary directories', async () => {
    const dir = join(root, 'replaced');
    await saveBundle(dir, bilstm);
    await saveBundle(dir, lstm);
    const loaded = await loadBundle(dir);
    expect(loaded.modelConfig.arch).toBe('lstm');
    loaded.model.dispose();
    expect((await readdir(root)).filter((name) => name.includes('replaced'))).toEqual(['replaced']);
  });

  it('refuses a bundle whose labels do not fit the model', async () => {
    const error = await saveBundle(join(root, 'bad'), {
      ...lstm,
      labelNames: ['a', 'b', 'c'],
    }).catch((e) => e);
    expect(error.code).toBe('INVALID_BUNDLE');
    expect(error.message).toContain('3 labelNames for a model with numClasses 2');
  });
});

describe('loadBundle failures name the problem', () => {
  it('missing directory', async () => {
    const missing = await loadError(join(root, 'nope'));
    expect(missing.code).toBe('BUNDLE_NOT_FOUND');
    expect(missing.message).toBe(`No model bundle directory at ${join(root, 'nope')}.`);
  });

  it('restores the previous bundle a crash between the two renames of a save left', async () => {
    const dir = await copyOfBundle();
    await rename(dir, `${dir}.previous`);
    const loaded = await loadBundle(dir);
    expect(loaded.modelConfig.arch).toBe('lstm');
    loaded.model.dispose();
    expect(await readdir(dir)).toContain('manifest.json');
    await expect(readdir(`${dir}.previous`)).rejects.toThrow(/ENOENT/);
  });

  it('NaN or infinite weights, even with a rehashed manifest', async () => {
    const dir = await copyOfBundle();
    const weights = await readFile(join(dir, 'weights.bin'));
    const floats = new Float32Array(weights.buffer, weights.byteOffset, weights.length / 4);
    floats[floats.length - 1] = Number.NaN;
    floats[floats.length - 2] = Number.POSITIVE_INFINITY;
    await writeFile(join(dir, 'weights.bin'), weights);
    const manifest: BundleManifest = await readJson(join(dir, 'manifest.json'));
    manifest.files['weights.bin'] = { sha256: sha256(weights), size: weights.length };
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
    const error = await loadError(dir);
    expect(error.code).toBe('BUNDLE_CORRUPT');
    expect(error.message).toMatch(/weights\.bin: weight \S+ holds 2 NaN or infinite values/);
  });

  it('missing file', async () => {
    const dir = await copyOfBundle();
    await rm(join(dir, 'weights.bin'));
    const error = await loadError(dir);
    expect(error.code).toBe('BUNDLE_CORRUPT');
    expect(error.message).toBe(`Model bundle ${dir}: weights.bin is missing.`);
  });

  it('changed bytes (hash mismatch) and partial copies (size)', async () => {
    const dir = await copyOfBundle();
    const weights = await readFile(join(dir, 'weights.bin'));
    weights[10] = (weights[10]! + 1) % 256;
    await writeFile(join(dir, 'weights.bin'), weights);
    expect((await loadError(dir)).message).toContain(
      'weights.bin does not match its sha256 in manifest.json',
    );
    await writeFile(join(dir, 'weights.bin'), weights.subarray(0, 100));
    expect((await loadError(dir)).message).toContain(
      'weights.bin has 100 bytes, the manifest says',
    );
  });

  it('another format version', async () => {
    const dir = await copyOfBundle();
    const manifest = await readJson(join(dir, 'manifest.json'));
    await writeFile(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, formatVersion: 2 }));
    const error = await loadError(dir);
    expect(error.code).toBe('BUNDLE_VERSION');
    expect(error.message).toContain('manifest.json has format version 2; this @lstmkit/model');
  });

  it('weight shapes that do not match the topology', async () => {
    const dir = await copyOfBundle();
    await rewrite<tf.io.ModelJSON>(dir, 'model.json', (json) => {
      const kernel = json.weightsManifest[0]!.weights.find((w) => w.name.endsWith('/kernel'))!;
      kernel.shape = [kernel.shape[1]!, kernel.shape[0]!];
    });
    const error = await loadError(dir);
    expect(error.code).toBe('BUNDLE_CORRUPT');
    expect(error.message).toMatch(/model\.json and weights\.bin do not form a model: .*shape/i);
  });

  it('a vocabulary that is not the one the embedding was trained for', async () => {
    const dir = await copyOfBundle();
    await rewrite<PipelineJSON>(dir, 'preprocess.json', (json) => {
      json.vocabulary.tokens.push('extra');
      json.vocabulary.counts?.push(1);
    });
    const error = await loadError(dir);
    expect(error.message).toMatch(
      /modelConfig\.vocabSize is \d+ but the vocabulary has \d+ tokens/,
    );
  });

  it('a model.json whose weights are not the ones the config names', async () => {
    const dir = await copyOfBundle();
    await rewrite<tf.io.ModelJSON>(dir, 'model.json', (json) => {
      const kernel = json.weightsManifest[0]!.weights.find((w) => w.name === 'lstm_1/kernel')!;
      kernel.name = 'lstm_9/kernel';
    });
    const error = await loadError(dir);
    expect(error.code).toBe('BUNDLE_CORRUPT');
    expect(error.message).toBe(
      `Model bundle ${dir}: model.json and weights.bin do not form a model: Provided weight data has no target variable: lstm_9/kernel`,
    );
  });

  it('a bundle.json config that does not describe model.json', async () => {
    const dir = await copyOfBundle();
    await rewrite<{ modelConfig: ModelConfig }>(dir, 'bundle.json', (json) => {
      json.modelConfig.hiddenSize = 7;
    });
    expect((await loadError(dir)).message).toMatch(
      /model\.json has \d+ parameters; modelConfig in bundle\.json describes \d+/,
    );
  });
});
