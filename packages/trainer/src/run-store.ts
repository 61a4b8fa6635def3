import type { Bundle, BundleContents } from '@lstmkit/model';
import type * as tf from '@tensorflow/tfjs';
import type { DataStore } from './data-store.js';
import type { HistoryRow } from './history.js';
import type { OutputPaths } from './outputs.js';
import type { LearningRatePlot } from './plot.js';
import type { RunState } from './run-state.js';
import type { WordVectors } from './word-vectors.js';

/**
 * Everything a training run keeps outside memory: the best bundle, the history and report,
 * and the state a resume continues from. Node keeps them in files (fileRunStore); a browser
 * keeps them in memory (memoryRunStore), so one training loop serves both.
 */
export interface RunStore {
  /** Named in events and results (in memory: labels, not paths). */
  readonly paths: OutputPaths;
  /** The encoded shards of the run's data (Node: `<outDir>.data/`). */
  readonly data: DataStore;
  /** A digest of the run's inputs, compared on resume, and of the data recipe (cache keys). */
  fingerprint(parts: Iterable<string>): string;
  readRunState(): Promise<RunState | undefined>;
  clearRunState(): Promise<void>;
  saveRunState(state: RunState, model: tf.LayersModel, optimizer: tf.Optimizer): Promise<void>;
  restoreTensors(model: tf.LayersModel, optimizer: tf.Optimizer): Promise<void>;
  saveBundle(contents: BundleContents): Promise<void>;
  loadBundle(): Promise<Bundle>;
  writeHistory(
    rows: readonly HistoryRow[],
    title: string,
    learningRates?: LearningRatePlot,
  ): Promise<void>;
  writeReport(report: Record<string, unknown>): Promise<void>;
  /** The vectors of the `wanted` words in a word-vector file (`embeddings.path`). */
  readWordVectors(source: string, wanted: ReadonlySet<string>): Promise<WordVectors>;
  /** The bundle a fine-tuning run starts from (`initFrom`). */
  loadInitialBundle(dir: string): Promise<Bundle>;
  /** Ends the run's hold on its outputs (Node: the lock on the bundle directory). */
  release(): Promise<void>;
}
