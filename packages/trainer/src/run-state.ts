import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Strangers } from '@lstmkit/model';
import { LstmkitError, type PipelineJSON } from '@lstmkit/preprocess';
import * as tf from '@tensorflow/tfjs';
import { ATOMIC_TEMP, writeFileAtomic } from './atomic-write.js';
import type { EarlyStoppingState } from './early-stopping.js';
import type { HistoryRow } from './history.js';

/**
 * Everything a run needs to continue exactly where it stopped. Shuffles and dropout masks are
 * derived from (seed, epoch, step), so no RNG state is stored.
 */
export interface RunProgress {
  /** The next batch to train is `stepInEpoch` (0-based) of 1-based `epoch`. */
  epoch: number;
  stepInEpoch: number;
  globalStep: number;
  earlyStopping: EarlyStoppingState;
  history: HistoryRow[];
  /** Training batches since the last evaluation (their running means feed the next one). */
  accumulator: { lossSum: number; correct: number; count: number; batches: number };
  /** Seconds of completed epochs, and of training so far. */
  epochSeconds: number[];
  trainingSeconds: number;
  samplesTrained: number;
}

export interface RunState extends RunProgress {
  formatVersion: 2;
  /** Hash of everything that must match for a resume to continue the same run. */
  fingerprint: string;
  pipeline: PipelineJSON;
}

interface StateFile extends RunState {
  tensorsFile: string;
  /** The layout of `tensorsFile`, as `tf.io.encodeWeights` wrote it. */
  tensors: tf.io.WeightsManifestEntry[];
}

const STATE_FILE = 'state.json';
const TENSORS_FILE = /^tensors-\d+-[0-9a-f]{8}\.bin$/;

/** A run-state directory of ours holds state.json, its tensor files and their atomic temps. */
export const runStateStrangers: Strangers = async (_dir, names) =>
  names.filter((name) => {
    const base = name.replace(ATOMIC_TEMP, '');
    return base !== STATE_FILE && !TENSORS_FILE.test(base);
  });
const MODEL = 'model/';
const OPTIMIZER = 'optimizer/';
const ACC_BETA = ['adam/accBeta1', 'adam/accBeta2'] as const;

/**
 * tfjs's Adam keeps beta1^t and beta2^t as running products, but `setWeights` recomputes them
 * with `pow`, which can differ in the last bit: the resumed run then drifts (seen in the 8th
 * digit of the loss). We save and restore the products themselves, so a resume is exact.
 * They are private fields of AdamOptimizer (tfjs 4.22; peer range pinned, tested by resume).
 */
function adamProducts(optimizer: tf.Optimizer): [tf.Variable, tf.Variable] {
  const adam = optimizer as unknown as { accBeta1?: tf.Variable; accBeta2?: tf.Variable };
  if (typeof adam.accBeta1?.assign !== 'function' || typeof adam.accBeta2?.assign !== 'function') {
    throw new LstmkitError(
      'UNSUPPORTED_TFJS',
      `This @tensorflow/tfjs (${tf.version.tfjs}) has no AdamOptimizer.accBeta1/accBeta2; resume needs them.`,
      { hint: 'Install the @tensorflow/tfjs version in the peerDependencies of @lstmkit/trainer.' },
    );
  }
  return [adam.accBeta1, adam.accBeta2];
}

/**
 * Save run state: the tensors go to a fresh `tensors-*.bin`, then `state.json` is replaced
 * atomically to point at it, then older tensor files are removed. A crash at any point leaves
 * a consistent pair behind.
 */
export async function saveRunState(
  dir: string,
  state: RunState,
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const optimizerWeights = await optimizer.getWeights();
  const [accBeta1, accBeta2] = adamProducts(optimizer);
  let encoded: { data: ArrayBuffer; specs: tf.io.WeightsManifestEntry[] };
  try {
    encoded = await tf.io.encodeWeights([
      ...model.weights.map((w) => ({ name: MODEL + w.originalName, tensor: w.read() })),
      ...optimizerWeights.map((w) => ({ name: OPTIMIZER + w.name, tensor: w.tensor })),
      { name: ACC_BETA[0], tensor: accBeta1 },
      { name: ACC_BETA[1], tensor: accBeta2 },
    ]);
  } finally {
    optimizerWeights[0]?.tensor.dispose(); // the iteration scalar is created for us; moments are live
  }
  const tensorsFile = `tensors-${state.globalStep}-${randomBytes(4).toString('hex')}.bin`;
  await writeFileAtomic(join(dir, tensorsFile), Buffer.from(encoded.data));
  const file: StateFile = { ...state, tensorsFile, tensors: encoded.specs };
  await writeFileAtomic(join(dir, STATE_FILE), JSON.stringify(file));
  for (const name of await readdir(dir)) {
    if (name.startsWith('tensors-') && name !== tensorsFile)
      await rm(join(dir, name), { force: true });
  }
}

/** The saved state, or undefined when `dir` holds none. */
export async function readRunState(dir: string): Promise<RunState | undefined> {
  const file = await readStateFile(dir);
  if (!file) return undefined;
  const { tensorsFile: _t, tensors: _s, ...state } = file;
  return state;
}

/** Load the saved model weights and Adam state into freshly created ones. */
export async function restoreTensors(
  dir: string,
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
): Promise<void> {
  const file = await readStateFile(dir);
  if (!file) throw corrupt(dir, 'state.json is missing');
  const buffer = await readFile(join(dir, file.tensorsFile)).catch((cause) => {
    throw corrupt(dir, `${file.tensorsFile} cannot be read`, cause);
  });
  const specs = file.tensors;
  const expectedBytes = specs.reduce((sum, e) => sum + 4 * e.shape.reduce((a, b) => a * b, 1), 0);
  if (buffer.byteLength !== expectedBytes) {
    throw corrupt(
      dir,
      `${file.tensorsFile} has ${buffer.byteLength} bytes, state.json describes ${expectedBytes}`,
    );
  }
  const expected = model.weights.map((w) => `${MODEL}${w.originalName} ${w.shape.join('x')}`);
  const saved = specs
    .filter((e) => e.name.startsWith(MODEL))
    .map((e) => `${e.name} ${e.shape.join('x')}`);
  if (expected.join() !== saved.join()) {
    throw new LstmkitError(
      'RESUME_MISMATCH',
      `The saved run in ${dir} has different model weights than this model.`,
      {
        hint: 'Resume with the options of the interrupted run, or start over without resume.',
      },
    );
  }
  const data = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength);
  const tensors = tf.io.decodeWeights(data, specs);
  try {
    model.setWeights(model.weights.map((w) => tensors[MODEL + w.originalName]!));
    await optimizer.setWeights(
      specs
        .filter((e) => e.name.startsWith(OPTIMIZER))
        .map((e) => ({ name: e.name.slice(OPTIMIZER.length), tensor: tensors[e.name]! })),
    );
    const products = adamProducts(optimizer);
    ACC_BETA.forEach((name, i) => {
      const value = tensors[name];
      if (value === undefined) throw corrupt(dir, `${file.tensorsFile} has no ${name}`);
      products[i]!.assign(value);
    });
  } finally {
    tf.dispose(Object.values(tensors)); // setWeights and assign made their own variables
  }
}

async function readStateFile(dir: string): Promise<StateFile | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, STATE_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let file: StateFile;
  try {
    file = JSON.parse(text) as StateFile;
  } catch (cause) {
    throw corrupt(dir, 'state.json is not valid JSON', cause);
  }
  if (file.formatVersion !== 2) {
    throw corrupt(
      dir,
      `state.json has formatVersion ${JSON.stringify(file.formatVersion)}, expected 2${file.formatVersion === 1 ? ' (written by lstmkit 0.1, which this version cannot continue exactly)' : ''}`,
    );
  }
  if (!Array.isArray(file.tensors)) throw corrupt(dir, 'state.json has no tensors table');
  return file;
}

function corrupt(dir: string, why: string, cause?: unknown): LstmkitError {
  return new LstmkitError('RUN_STATE_CORRUPT', `Cannot resume from ${dir}: ${why}.`, {
    hint: 'Delete that directory to start the run over.',
    cause,
  });
}
