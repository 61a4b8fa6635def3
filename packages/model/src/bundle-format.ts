import {
  type ErrorCode,
  isLstmkitError,
  LstmkitError,
  type PipelineJSON,
  TextPipeline,
} from '@lstmkit/preprocess';
import * as tf from '@tensorflow/tfjs';
import { version as modelVersion } from '../package.json';
import { expectedParameterCount } from './create-model';
import { deserializeModel, serializeModel, WEIGHTS_FILE } from './model-artifacts';
import { type ModelConfig, validateModelConfig } from './model-config';

/**
 * The bundle format without any I/O: what the files hold, how they are checked and parsed.
 * The Node loader (bundle.ts) and the browser loader (bundle.browser.ts) only read bytes and
 * hash them (node:crypto or Web Crypto), then call these.
 */

/** Bumped on any change a previous loader could misread. */
export const BUNDLE_FORMAT_VERSION = 1;

const MODEL_FILE = 'model.json';
const PREPROCESS_FILE = 'preprocess.json';
const BUNDLE_FILE = 'bundle.json';
export const MANIFEST_FILE = 'manifest.json';
const CONTENT_FILES = [MODEL_FILE, WEIGHTS_FILE, PREPROCESS_FILE, BUNDLE_FILE] as const;
/** Every file of a bundle, manifest last. */
export const BUNDLE_FILES = [...CONTENT_FILES, MANIFEST_FILE] as const;

export interface BundleContents {
  model: tf.LayersModel;
  pipeline: TextPipeline;
  /** Label i is labelNames[i]; binary: index 1 is the positive class. */
  labelNames: string[];
  modelConfig: ModelConfig;
  /**
   * Binary models: predict labelNames[1] when its probability is >= this (tuned on validation
   * data by the trainer's `threshold: 'auto'`); absent: 0.5.
   */
  threshold?: number;
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
  /** Where the bundle was loaded from: a directory, a URL, or the picked files. */
  dir: string;
  manifest: BundleManifest;
}

/** bundle.json: what the model means, beside what it computes. */
interface BundleInfoJSON {
  formatVersion: number;
  labelNames: string[];
  modelConfig: ModelConfig;
  threshold?: number;
  training?: Record<string, unknown>;
  metrics?: Record<string, unknown>;
}

/** sha256 as lowercase hex. */
export type Sha256 = (bytes: Uint8Array) => Promise<string>;

/** Reads one bundle file; throws `missingFile(where, name)` when it does not exist. */
export type ReadBundleFile = (name: string) => Promise<Uint8Array>;

const jsonBytes = (value: unknown) =>
  new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);

/** Ties model.json to the exact vocabulary its embedding rows were trained for. */
function vocabularyHash(pipeline: PipelineJSON, sha256: Sha256): Promise<string> {
  return sha256(new TextEncoder().encode(JSON.stringify(pipeline.vocabulary.tokens)));
}

function checkConsistency(
  where: string,
  code: ErrorCode,
  config: ModelConfig,
  labelNames: unknown,
  vocabularySize: number,
  threshold: unknown,
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
  if (
    threshold !== undefined &&
    (config.numClasses !== 2 || typeof threshold !== 'number' || !(threshold > 0 && threshold < 1))
  ) {
    throw new LstmkitError(
      code,
      `${where}: threshold ${JSON.stringify(threshold)} must be a number in (0, 1), for a binary model only (numClasses ${config.numClasses}).`,
    );
  }
  if (config.vocabSize !== vocabularySize) {
    throw new LstmkitError(
      code,
      `${where}: modelConfig.vocabSize is ${config.vocabSize} but the vocabulary has ${vocabularySize} tokens.`,
    );
  }
}

/** Every file of the bundle for `contents`, manifest included, ready to be written. */
export async function encodeBundle(
  contents: BundleContents,
  sha256: Sha256,
): Promise<Map<string, Uint8Array>> {
  const { model, pipeline, labelNames, modelConfig } = contents;
  validateModelConfig(modelConfig);
  checkConsistency(
    'saveBundle',
    'INVALID_BUNDLE',
    modelConfig,
    labelNames,
    pipeline.vocabulary.size,
    contents.threshold,
  );
  const preprocess = pipeline.toJSON();
  const { modelJson, weights } = await serializeModel(model, {
    formatVersion: BUNDLE_FORMAT_VERSION,
    vocabHash: await vocabularyHash(preprocess, sha256),
  });
  const info: BundleInfoJSON = {
    formatVersion: BUNDLE_FORMAT_VERSION,
    labelNames,
    modelConfig,
    ...(contents.threshold !== undefined && { threshold: contents.threshold }),
    ...(contents.training && { training: contents.training }),
    ...(contents.metrics && { metrics: contents.metrics }),
  };
  const files = new Map<string, Uint8Array>([
    [MODEL_FILE, jsonBytes(modelJson)],
    [WEIGHTS_FILE, weights],
    [PREPROCESS_FILE, jsonBytes(preprocess)],
    [BUNDLE_FILE, jsonBytes(info)],
  ]);
  const entries = await Promise.all(
    [...files].map(async ([name, bytes]) => [
      name,
      { sha256: await sha256(bytes), size: bytes.length },
    ]),
  );
  const manifest: BundleManifest = {
    formatVersion: BUNDLE_FORMAT_VERSION,
    createdAt: new Date().toISOString(),
    files: Object.fromEntries(entries),
    libraries: {
      '@lstmkit/model': modelVersion,
      '@tensorflow/tfjs': tf.version.tfjs,
      backend: tf.getBackend(),
    },
  };
  files.set(MANIFEST_FILE, jsonBytes(manifest));
  return files;
}

export const corrupt = (where: string, message: string, cause?: unknown) =>
  new LstmkitError('BUNDLE_CORRUPT', `Model bundle ${where}: ${message}`, {
    hint: 'Re-export or re-copy the whole bundle directory.',
    ...(cause !== undefined && { cause }),
  });

export const missingFile = (where: string, name: string) => corrupt(where, `${name} is missing.`);

function parseJson<T>(where: string, name: string, bytes: Uint8Array): T {
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as T;
  } catch (error) {
    throw corrupt(where, `${name} is not valid JSON (${(error as Error).message}).`, error);
  }
}

function checkVersion(where: string, name: string, version: unknown): void {
  if (version !== BUNDLE_FORMAT_VERSION) {
    throw new LstmkitError(
      'BUNDLE_VERSION',
      `Model bundle ${where}: ${name} has format version ${JSON.stringify(version)}; this @lstmkit/model (${modelVersion}) reads version ${BUNDLE_FORMAT_VERSION}.`,
      { hint: 'Use the @lstmkit/model version that wrote the bundle, or retrain.' },
    );
  }
}

async function readManifest(where: string, read: ReadBundleFile): Promise<BundleManifest> {
  const manifest = parseJson<BundleManifest>(where, MANIFEST_FILE, await read(MANIFEST_FILE));
  if (typeof manifest !== 'object' || manifest === null || typeof manifest.files !== 'object') {
    throw corrupt(where, `${MANIFEST_FILE} has no 'files' table.`);
  }
  checkVersion(where, MANIFEST_FILE, manifest.formatVersion);
  return manifest;
}

/** Reads every content file and checks it against the manifest's size and sha256. */
async function readVerified(
  where: string,
  manifest: BundleManifest,
  read: ReadBundleFile,
  sha256: Sha256,
): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for (const name of CONTENT_FILES) {
    const expected = manifest.files[name];
    if (expected === undefined) throw corrupt(where, `${MANIFEST_FILE} does not list ${name}.`);
    const bytes = await read(name);
    if (bytes.length !== expected.size) {
      throw corrupt(
        where,
        `${name} has ${bytes.length} bytes, the manifest says ${expected.size} (partial copy?).`,
      );
    }
    if ((await sha256(bytes)) !== expected.sha256) {
      throw corrupt(
        where,
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

/** A bundle whose files passed every check, before its model is built. */
export interface VerifiedBundle {
  where: string;
  manifest: BundleManifest;
  modelJson: tf.io.ModelJSON;
  weights: Uint8Array;
  pipeline: TextPipeline;
  info: BundleInfoJSON;
  modelConfig: ModelConfig;
}

/**
 * Reads and checks a bundle: manifest hashes, format versions, and that the model, vocabulary
 * and config agree. Every failure is an LstmkitError naming the file.
 */
export async function verifyBundle(
  where: string,
  read: ReadBundleFile,
  sha256: Sha256,
): Promise<VerifiedBundle> {
  const manifest = await readManifest(where, read);
  const files = await readVerified(where, manifest, read, sha256);
  const modelJson = parseJson<tf.io.ModelJSON>(where, MODEL_FILE, files.get(MODEL_FILE)!);
  const preprocess = parseJson<PipelineJSON>(where, PREPROCESS_FILE, files.get(PREPROCESS_FILE)!);
  const info = parseJson<BundleInfoJSON>(where, BUNDLE_FILE, files.get(BUNDLE_FILE)!);
  checkVersion(where, BUNDLE_FILE, info.formatVersion);
  const metadata = modelJson.userDefinedMetadata as
    | { formatVersion?: unknown; vocabHash?: unknown }
    | undefined;
  checkVersion(where, `${MODEL_FILE} userDefinedMetadata`, metadata?.formatVersion);

  let pipeline: TextPipeline;
  let modelConfig: ModelConfig;
  try {
    pipeline = TextPipeline.fromJSON(preprocess);
  } catch (error) {
    throw corrupt(where, `${PREPROCESS_FILE}: ${(error as Error).message}`, error);
  }
  try {
    modelConfig = validateModelConfig(info.modelConfig);
  } catch (error) {
    throw corrupt(where, `${BUNDLE_FILE}: ${(error as Error).message}`, error);
  }
  checkConsistency(
    `Model bundle ${where}: ${BUNDLE_FILE}`,
    'BUNDLE_CORRUPT',
    modelConfig,
    info.labelNames,
    pipeline.vocabulary.size,
    info.threshold,
  );
  if (metadata?.vocabHash !== (await vocabularyHash(preprocess, sha256))) {
    throw corrupt(
      where,
      `${MODEL_FILE} was trained with another vocabulary than ${PREPROCESS_FILE} holds.`,
    );
  }
  const specs = modelJson.weightsManifest.flatMap((group) => group.weights);
  const embedding = embeddingShape(specs);
  if (embedding?.[0] !== pipeline.vocabulary.size) {
    throw corrupt(
      where,
      `the embedding in ${MODEL_FILE} has ${embedding?.[0] ?? 'no'} rows; the vocabulary in ${PREPROCESS_FILE} has ${pipeline.vocabulary.size} tokens.`,
    );
  }

  const actual = specs.reduce((sum, spec) => sum + spec.shape.reduce((a, b) => a * b, 1), 0);
  const parameters = expectedParameterCount(modelConfig);
  if (actual !== parameters) {
    throw corrupt(
      where,
      `${MODEL_FILE} has ${actual} parameters; modelConfig in ${BUNDLE_FILE} describes ${parameters}.`,
    );
  }

  const weights = files.get(WEIGHTS_FILE)!;
  const nonFinite = firstNonFiniteWeight(specs, weights);
  if (nonFinite !== undefined) {
    throw corrupt(
      where,
      `${WEIGHTS_FILE}: weight ${nonFinite.name} holds ${nonFinite.count} NaN or infinite values, so every prediction would be NaN.`,
    );
  }
  return {
    where,
    manifest,
    modelJson,
    weights,
    pipeline,
    info,
    modelConfig,
  };
}

/** Builds the model of a verified bundle; call once a backend is initialised. */
export function assembleBundle(verified: VerifiedBundle): Bundle {
  const { where, info, modelConfig } = verified;
  let model: tf.LayersModel;
  try {
    model = deserializeModel(verified.modelJson, verified.weights, modelConfig);
  } catch (error) {
    if (isLstmkitError(error)) throw error;
    throw corrupt(
      where,
      `${MODEL_FILE} and ${WEIGHTS_FILE} do not form a model: ${(error as Error).message}`,
      error,
    );
  }
  return {
    dir: where,
    manifest: verified.manifest,
    model,
    pipeline: verified.pipeline,
    labelNames: info.labelNames,
    modelConfig,
    ...(info.threshold !== undefined && { threshold: info.threshold }),
    ...(info.training && { training: info.training }),
    ...(info.metrics && { metrics: info.metrics }),
  };
}
