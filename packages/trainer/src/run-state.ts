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
  formatVersion: 1;
  /** Hash of everything that must match for a resume to continue the same run. */
  fingerprint: string;
  pipeline: PipelineJSON;
}

interface TensorEntry {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  offset: number;
}

interface StateFile extends RunState {
  tensorsFile: string;
  model: TensorEntry[];
  optimizer: TensorEntry[];
}

const STATE_FILE = 'state.json';
const TENSORS_FILE = /^tensors-\d+-[0-9a-f]{8}\.bin$/;

/** A run-state directory of ours holds state.json, its tensor files and their atomic temps. */
export const runStateStrangers: Strangers = async (_dir, names) =>
  names.filter((name) => {
    const base = name.replace(ATOMIC_TEMP, '');
    return base !== STATE_FILE && !TENSORS_FILE.test(base);
  });

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
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const add = async (name: string, tensor: tf.Tensor): Promise<TensorEntry> => {
    const dtype = tensor.dtype === 'int32' ? 'int32' : 'float32';
    const data = dtype === 'int32' ? await tensor.data<'int32'>() : await tensor.data<'float32'>();
    const entry = { name, shape: tensor.shape, dtype, offset } as TensorEntry;
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    chunks.push(bytes.slice());
    offset += bytes.byteLength;
    return entry;
  };
  const modelEntries: TensorEntry[] = [];
  for (const w of model.weights) modelEntries.push(await add(w.originalName, w.read()));
  const optimizerWeights = await optimizer.getWeights();
  const optimizerEntries: TensorEntry[] = [];
  for (const w of optimizerWeights) optimizerEntries.push(await add(w.name, w.tensor));
  optimizerWeights[0]?.tensor.dispose(); // the iteration scalar is created for us; moments are live

  const tensorsFile = `tensors-${state.globalStep}-${randomBytes(4).toString('hex')}.bin`;
  await writeFileAtomic(join(dir, tensorsFile), Buffer.concat(chunks));
  const file: StateFile = {
    ...state,
    tensorsFile,
    model: modelEntries,
    optimizer: optimizerEntries,
  };
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
  const { tensorsFile: _t, model: _m, optimizer: _o, ...state } = file;
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
  const toTensor = (e: TensorEntry): tf.Tensor => {
    const size = e.shape.reduce((a, b) => a * b, 1);
    if (e.offset + size * 4 > buffer.byteLength)
      throw corrupt(dir, `${e.name} lies past the end of ${file.tensorsFile}`);
    const bytes = buffer.buffer.slice(
      buffer.byteOffset + e.offset,
      buffer.byteOffset + e.offset + size * 4,
    );
    const values = e.dtype === 'int32' ? new Int32Array(bytes) : new Float32Array(bytes);
    return tf.tensor(values, e.shape, e.dtype);
  };
  const expected = model.weights.map((w) => `${w.originalName} ${w.shape.join('x')}`);
  const saved = file.model.map((e) => `${e.name} ${e.shape.join('x')}`);
  if (expected.join() !== saved.join()) {
    throw new LstmkitError(
      'RESUME_MISMATCH',
      `The saved run in ${dir} has different model weights than this model.`,
      {
        hint: 'Resume with the options of the interrupted run, or start over without resume.',
      },
    );
  }
  const weights = file.model.map(toTensor);
  model.setWeights(weights);
  tf.dispose(weights);
  const optimizerWeights = file.optimizer.map((e) => ({ name: e.name, tensor: toTensor(e) }));
  await optimizer.setWeights(optimizerWeights);
  tf.dispose(optimizerWeights.map((w) => w.tensor)); // setWeights made its own variables
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
  if (file.formatVersion !== 1) {
    throw corrupt(
      dir,
      `state.json has formatVersion ${JSON.stringify(file.formatVersion)}, expected 1`,
    );
  }
  return file;
}

function corrupt(dir: string, why: string, cause?: unknown): LstmkitError {
  return new LstmkitError('RUN_STATE_CORRUPT', `Cannot resume from ${dir}: ${why}.`, {
    hint: 'Delete that directory to start the run over.',
    cause,
  });
}
