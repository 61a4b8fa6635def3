import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  type ErrorCode,
  isLstmkitError,
  LstmkitError,
  type PipelineJSON,
  TextPipeline,
} from '@lstmkit/preprocess';
import * as tf from '@tensorflow/tfjs';
import { version as modelVersion } from '../package.json';
import {
  checkOwnedDirectory,
  followSymlink,
  type OwnedState,
  recoverInterruptedReplace,
  type Strangers,
  writeDirectoryAtomic,
} from './atomic-directory';
import { ensureBackend } from './backend';
import { expectedParameterCount } from './create-model';
import { deserializeModel, serializeModel, WEIGHTS_FILE } from './model-artifacts';
import { type ModelConfig, validateModelConfig } from './model-config';

/** Bumped on any change a previous loader could misread. */
export const BUNDLE_FORMAT_VERSION = 1;

const MODEL_FILE = 'model.json';
const PREPROCESS_FILE = 'preprocess.json';
const BUNDLE_FILE = 'bundle.json';
const MANIFEST_FILE = 'manifest.json';
const CONTENT_FILES = [MODEL_FILE, WEIGHTS_FILE, PREPROCESS_FILE, BUNDLE_FILE] as const;

export interface BundleContents {
  model: tf.LayersModel;
  pipeline: TextPipeline;
  /** Label i is labelNames[i]; binary: index 1 is the positive class. */
  labelNames: string[];
  modelConfig: ModelConfig;
  training?: Record<string, unknown>;
  metrics?: Record<string, unknown>;
}

export interface BundleManifest {
  formatVersion: number;
  createdAt: string;
  /** sha256 (hex) and byte size of every other file in the bundle. */
  files: Record<string, { sha256: string; size: number }>;
  libraries: Record<string, string>;
}

export interface Bundle extends BundleContents {
  dir: string;
  manifest: BundleManifest;
}

/** bundle.json: what the model means, beside what it computes. */
interface BundleInfoJSON {
  formatVersion: number;
  labelNames: string[];
  modelConfig: ModelConfig;
  training?: Record<string, unknown>;
  metrics?: Record<string, unknown>;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const jsonBytes = (value: unknown) =>
  new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);

/** Ties model.json to the exact vocabulary its embedding rows were trained for. */
function vocabularyHash(pipeline: PipelineJSON): string {
  return sha256(new TextEncoder().encode(JSON.stringify(pipeline.vocabulary.tokens)));
}

function checkConsistency(
  where: string,
  code: ErrorCode,
  config: ModelConfig,
  labelNames: unknown,
  vocabularySize: number,
): void {
  if (!Array.isArray(labelNames) || !labelNames.every((name) => typeof name === 'string')) {
    throw new LstmkitError(code, `${where}: labelNames must be an array of strings.`);
  }
  if (labelNames.length !== config.numClasses) {
    throw new LstmkitError(
      code,
      `${where}: ${labelNames.length} labelNames for a model with numClasses ${config.numClasses}.`,
    );
  }
  if (config.vocabSize !== vocabularySize) {
    throw new LstmkitError(
      code,
      `${where}: modelConfig.vocabSize is ${config.vocabSize} but the vocabulary has ${vocabularySize} tokens.`,
    );
  }
}

/**
 * Writes a bundle directory atomically (temp directory + rename); an existing bundle at `dir`
 * is replaced only once the new one is complete.
 */
export async function saveBundle(dir: string, contents: BundleContents): Promise<void> {
  const { model, pipeline, labelNames, modelConfig } = contents;
  validateModelConfig(modelConfig);
  checkConsistency(
    'saveBundle',
    'INVALID_BUNDLE',
    modelConfig,
    labelNames,
    pipeline.vocabulary.size,
  );
  const preprocess = pipeline.toJSON();
  const { modelJson, weights } = await serializeModel(model, {
    formatVersion: BUNDLE_FORMAT_VERSION,
    vocabHash: vocabularyHash(preprocess),
  });
  const info: BundleInfoJSON = {
    formatVersion: BUNDLE_FORMAT_VERSION,
    labelNames,
    modelConfig,
    ...(contents.training && { training: contents.training }),
    ...(contents.metrics && { metrics: contents.metrics }),
  };
  const files = new Map<string, Uint8Array>([
    [MODEL_FILE, jsonBytes(modelJson)],
    [WEIGHTS_FILE, weights],
    [PREPROCESS_FILE, jsonBytes(preprocess)],
    [BUNDLE_FILE, jsonBytes(info)],
  ]);
  const manifest: BundleManifest = {
    formatVersion: BUNDLE_FORMAT_VERSION,
    createdAt: new Date().toISOString(),
    files: Object.fromEntries(
      [...files].map(([name, bytes]) => [name, { sha256: sha256(bytes), size: bytes.length }]),
    ),
    libraries: {
      '@lstmkit/model': modelVersion,
      '@tensorflow/tfjs': tf.version.tfjs,
      backend: tf.getBackend(),
    },
  };
  files.set(MANIFEST_FILE, jsonBytes(manifest));
  await writeDirectoryAtomic(resolve(dir), files, bundleStrangers, 'model bundle');
}

/**
 * A bundle we wrote holds its manifest and exactly the files the manifest lists: anything else
 * in the directory (or a directory without a readable manifest) is not ours to replace.
 */
const bundleStrangers: Strangers = async (dir, names) => {
  const listed = await readFile(join(dir, MANIFEST_FILE), 'utf8').then(
    (text) => {
      const manifest = JSON.parse(text) as Partial<BundleManifest>;
      return typeof manifest.files === 'object' && manifest.files !== null
        ? new Set([MANIFEST_FILE, ...Object.keys(manifest.files)])
        : undefined;
    },
    () => undefined,
  );
  return listed === undefined ? [...names] : names.filter((name) => !listed.has(name));
};

/**
 * Whether `dir` may receive a bundle: absent, empty, or a bundle lstmkit wrote (a symlink is
 * followed). Otherwise an INVALID_OUTPUT_DIR error names the files found. Finishes a save that
 * a crash interrupted between its two renames first.
 */
export async function checkBundleDirectory(dir: string): Promise<OwnedState> {
  const target = await followSymlink(resolve(dir));
  await recoverInterruptedReplace(target, bundleStrangers, 'model bundle');
  return checkOwnedDirectory(target, bundleStrangers, 'model bundle');
}

const corrupt = (dir: string, message: string, cause?: unknown) =>
  new LstmkitError('BUNDLE_CORRUPT', `Model bundle ${dir}: ${message}`, {
    hint: 'Re-export or re-copy the whole bundle directory.',
    ...(cause !== undefined && { cause }),
  });

async function readBundleFile(dir: string, name: string): Promise<Uint8Array> {
  try {
    return await readFile(join(dir, name));
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') throw corrupt(dir, `${name} is missing.`);
    throw corrupt(dir, `cannot read ${name}: ${(error as Error).message}`, error);
  }
}

function parseJson<T>(dir: string, name: string, bytes: Uint8Array): T {
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as T;
  } catch (error) {
    throw corrupt(dir, `${name} is not valid JSON (${(error as Error).message}).`, error);
  }
}

function checkVersion(dir: string, name: string, version: unknown): void {
  if (version !== BUNDLE_FORMAT_VERSION) {
    throw new LstmkitError(
      'BUNDLE_VERSION',
      `Model bundle ${dir}: ${name} has format version ${JSON.stringify(version)}; this @lstmkit/model (${modelVersion}) reads version ${BUNDLE_FORMAT_VERSION}.`,
      { hint: 'Use the @lstmkit/model version that wrote the bundle, or retrain.' },
    );
  }
}

async function readManifest(dir: string): Promise<BundleManifest> {
  await recoverInterruptedReplace(dir, bundleStrangers, 'model bundle');
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new LstmkitError(
      'BUNDLE_NOT_FOUND',
      info === undefined
        ? `No model bundle directory at ${dir}.`
        : `${dir} is a file; a model bundle is a directory.`,
      {
        hint: 'Train a model first (lstmkit train --out DIR writes a bundle directory) or check the path.',
      },
    );
  }
  const manifest = parseJson<BundleManifest>(
    dir,
    MANIFEST_FILE,
    await readBundleFile(dir, MANIFEST_FILE),
  );
  if (typeof manifest !== 'object' || manifest === null || typeof manifest.files !== 'object') {
    throw corrupt(dir, `${MANIFEST_FILE} has no 'files' table.`);
  }
  checkVersion(dir, MANIFEST_FILE, manifest.formatVersion);
  return manifest;
}

/** Reads every content file and checks it against the manifest's size and sha256. */
async function readVerified(
  dir: string,
  manifest: BundleManifest,
): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for (const name of CONTENT_FILES) {
    const expected = manifest.files[name];
    if (expected === undefined) throw corrupt(dir, `${MANIFEST_FILE} does not list ${name}.`);
    const bytes = await readBundleFile(dir, name);
    if (bytes.length !== expected.size) {
      throw corrupt(
        dir,
        `${name} has ${bytes.length} bytes, the manifest says ${expected.size} (partial copy?).`,
      );
    }
    if (sha256(bytes) !== expected.sha256) {
      throw corrupt(
        dir,
        `${name} does not match its sha256 in ${MANIFEST_FILE} (modified or corrupt).`,
      );
    }
    files.set(name, bytes);
  }
  return files;
}

function embeddingShape(specs: tf.io.WeightsManifestEntry[]): number[] | undefined {
  return specs.find((spec) => /(^|\/)embeddings$/.test(spec.name))?.shape;
}

/**
 * The first float32 weight with NaN or infinite values (a diverged run saved as is, or a
 * tampered file whose manifest was rehashed), counted; weights.bin holds the specs in order.
 */
function firstNonFiniteWeight(
  specs: readonly tf.io.WeightsManifestEntry[],
  weights: Uint8Array,
): { name: string; count: number } | undefined {
  let offset = 0;
  for (const spec of specs) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    if (spec.dtype === 'float32' && offset + size * 4 <= weights.byteLength) {
      const values = new Float32Array(weights.slice(offset, offset + size * 4).buffer);
      let count = 0;
      for (const value of values) if (!Number.isFinite(value)) count++;
      if (count > 0) return { name: spec.name, count };
    }
    offset += size * 4;
  }
  return undefined;
}

/**
 * Loads a bundle written by saveBundle, verifying the manifest hashes, the format version and
 * that the model, vocabulary and config agree. Every failure is an LstmkitError naming the file.
 */
export async function loadBundle(dir: string): Promise<Bundle> {
  const root = resolve(dir);
  const manifest = await readManifest(root);
  const files = await readVerified(root, manifest);
  const modelJson = parseJson<tf.io.ModelJSON>(root, MODEL_FILE, files.get(MODEL_FILE)!);
  const preprocess = parseJson<PipelineJSON>(root, PREPROCESS_FILE, files.get(PREPROCESS_FILE)!);
  const info = parseJson<BundleInfoJSON>(root, BUNDLE_FILE, files.get(BUNDLE_FILE)!);
  checkVersion(root, BUNDLE_FILE, info.formatVersion);
  const metadata = modelJson.userDefinedMetadata as
    | { formatVersion?: unknown; vocabHash?: unknown }
    | undefined;
  checkVersion(root, `${MODEL_FILE} userDefinedMetadata`, metadata?.formatVersion);

  let pipeline: TextPipeline;
  let modelConfig: ModelConfig;
  try {
    pipeline = TextPipeline.fromJSON(preprocess);
  } catch (error) {
    throw corrupt(root, `${PREPROCESS_FILE}: ${(error as Error).message}`, error);
  }
  try {
    modelConfig = validateModelConfig(info.modelConfig);
  } catch (error) {
    throw corrupt(root, `${BUNDLE_FILE}: ${(error as Error).message}`, error);
  }
  checkConsistency(
    `Model bundle ${root}: ${BUNDLE_FILE}`,
    'BUNDLE_CORRUPT',
    modelConfig,
    info.labelNames,
    pipeline.vocabulary.size,
  );
  if (metadata?.vocabHash !== vocabularyHash(preprocess)) {
    throw corrupt(
      root,
      `${MODEL_FILE} was trained with another vocabulary than ${PREPROCESS_FILE} holds.`,
    );
  }
  const specs = modelJson.weightsManifest.flatMap((group) => group.weights);
  const embedding = embeddingShape(specs);
  if (embedding?.[0] !== pipeline.vocabulary.size) {
    throw corrupt(
      root,
      `the embedding in ${MODEL_FILE} has ${embedding?.[0] ?? 'no'} rows; the vocabulary in ${PREPROCESS_FILE} has ${pipeline.vocabulary.size} tokens.`,
    );
  }

  const actual = specs.reduce((sum, spec) => sum + spec.shape.reduce((a, b) => a * b, 1), 0);
  const parameters = expectedParameterCount(modelConfig);
  if (actual !== parameters) {
    throw corrupt(
      root,
      `${MODEL_FILE} has ${actual} parameters; modelConfig in ${BUNDLE_FILE} describes ${parameters}.`,
    );
  }

  const nonFinite = firstNonFiniteWeight(specs, files.get(WEIGHTS_FILE)!);
  if (nonFinite !== undefined) {
    throw corrupt(
      root,
      `${WEIGHTS_FILE}: weight ${nonFinite.name} holds ${nonFinite.count} NaN or infinite values, so every prediction would be NaN.`,
    );
  }

  await ensureBackend();
  let model: tf.LayersModel;
  try {
    model = deserializeModel(modelJson, files.get(WEIGHTS_FILE)!, modelConfig);
  } catch (error) {
    if (isLstmkitError(error)) throw error;
    throw corrupt(
      root,
      `${MODEL_FILE} and ${WEIGHTS_FILE} do not form a model: ${(error as Error).message}`,
      error,
    );
  }
  return {
    dir: root,
    manifest,
    model,
    pipeline,
    labelNames: info.labelNames,
    modelConfig,
    ...(info.training && { training: info.training }),
    ...(info.metrics && { metrics: info.metrics }),
  };
}
