import type { HistoryRow } from './history.js';
import { memoryRunStore } from './memory-run-store.js';
import { trainWithStore } from './train.js';
import type { TrainOptions, TrainResult } from './types.js';

export interface InMemoryTrainOptions extends Omit<TrainOptions, 'outDir' | 'resume'> {
  /** Names the bundle in events and results (default 'model'). */
  name?: string;
}

export interface InMemoryTrainResult {
  result: TrainResult;
  /** The best bundle's files (undefined when stopped before the first checkpoint). */
  bundle: ReadonlyMap<string, Uint8Array> | undefined;
  report: Record<string, unknown> | undefined;
  /** One row per validation pass, as history.jsonl holds them. */
  history: readonly HistoryRow[];
}

/** `train` without a file system: the same loop, with the run kept in memory. */
export async function trainInMemory(options: InMemoryTrainOptions): Promise<InMemoryTrainResult> {
  const { name = 'model', ...rest } = options;
  const store = memoryRunStore(name);
  const result = await trainWithStore({ ...rest, outDir: name }, async () => store);
  return { result, bundle: store.bundle, report: store.report, history: store.history };
}
