import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { loadBundle, lockDirectory, saveBundle } from '@lstmkit/model';
import { fileDataStore } from './file-data-store.js';
import { checkOutputs, writeHistory, writeReport } from './outputs.js';
import { readRunState, restoreTensors, saveRunState } from './run-state.js';
import type { RunStore } from './run-store.js';
import { trainWithStore } from './train.js';
import type { TrainOptions, TrainResult } from './types.js';
import { readWordVectors } from './word-vectors.js';

/**
 * The bundle in `outDir`, reports in `<outDir>.report/`, resumable state in `<outDir>.run/`,
 * after checking that each may be written (absent, empty or ours) and locking the bundle.
 */
export async function fileRunStore(outDir: string): Promise<RunStore> {
  const paths = await checkOutputs(outDir);
  const release = await lockDirectory(paths.bundleDir, 'model bundle');
  return {
    paths,
    data: fileDataStore(paths.dataDir),
    fingerprint(parts) {
      const hash = createHash('sha256');
      for (const part of parts) hash.update(part);
      return hash.digest('hex');
    },
    readRunState: () => readRunState(paths.runDir),
    clearRunState: () => rm(paths.runDir, { recursive: true, force: true }),
    saveRunState: (state, model, optimizer) => saveRunState(paths.runDir, state, model, optimizer),
    restoreTensors: (model, optimizer) => restoreTensors(paths.runDir, model, optimizer),
    saveBundle: (contents) => saveBundle(paths.bundleDir, contents),
    loadBundle: () => loadBundle(paths.bundleDir),
    writeHistory: (rows, title, learningRates) => writeHistory(paths, rows, title, learningRates),
    writeReport: (report) => writeReport(paths, report),
    readWordVectors,
    loadInitialBundle: loadBundle,
    release,
  };
}

/** Train a classifier, writing the best bundle to `options.outDir` (see trainWithStore). */
export function train(options: TrainOptions): Promise<TrainResult> {
  return trainWithStore(options, fileRunStore);
}
