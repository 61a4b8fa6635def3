import { bundleFiles, loadBundle } from '@lstmkit/model/browser';
import { LstmkitError } from '@lstmkit/preprocess';
import { memoryDataStore } from './data-store.js';
import type { HistoryRow } from './history.js';
import type { RunStore } from './run-store.js';

export interface MemoryRunStore extends RunStore {
  /** The best bundle's files, as saveBundle writes them in Node. */
  readonly bundle: ReadonlyMap<string, Uint8Array> | undefined;
  readonly history: readonly HistoryRow[];
  readonly report: Record<string, unknown> | undefined;
}

/**
 * A run kept in memory (browsers, workers): the best bundle is serialized exactly as in Node
 * and loaded back through the browser loader, so it carries the same checks. No resume.
 */
export function memoryRunStore(name: string): MemoryRunStore {
  let bundle: Map<string, Uint8Array> | undefined;
  let history: HistoryRow[] = [];
  let report: Record<string, unknown> | undefined;
  return {
    paths: {
      bundleDir: name,
      reportDir: `${name}.report`,
      runDir: `${name}.run`,
      dataDir: `${name}.data`,
      reportPath: `${name}.report/report.json`,
      historyPath: `${name}.report/history.jsonl`,
      plotPath: `${name}.report/training.svg`,
    },
    get bundle() {
      return bundle;
    },
    get history() {
      return history;
    },
    get report() {
      return report;
    },
    data: memoryDataStore(name),
    // Compared on resume, which a memory run never does, and keying the data it encodes once.
    fingerprint: () => '',
    readRunState: async () => undefined,
    clearRunState: async () => {},
    saveRunState: async () => {},
    // Never called: readRunState finds no state to resume from.
    restoreTensors: async () => {},
    async saveBundle(contents) {
      bundle = await bundleFiles(contents);
    },
    async loadBundle() {
      if (bundle === undefined)
        throw new LstmkitError('BUNDLE_NOT_FOUND', `No bundle saved in ${name}.`);
      const files = [...bundle].map(
        ([file, bytes]) => new File([bytes as Uint8Array<ArrayBuffer>], file),
      );
      return loadBundle(files);
    },
    async writeHistory(rows) {
      history = [...rows];
    },
    async writeReport(value) {
      report = value;
    },
    // Both read files by path, which a browser run has no access to.
    readWordVectors: async (source) => {
      throw new LstmkitError(
        'INVALID_TRAIN_OPTIONS',
        `Training option 'embeddings' names the word-vector file ${source}, which a run in memory cannot read.`,
        { hint: 'Train with pretrained vectors in Node (lstmkit train --embeddings).' },
      );
    },
    loadInitialBundle: async (dir) => {
      throw new LstmkitError(
        'INVALID_TRAIN_OPTIONS',
        `Training option 'initFrom' names the bundle directory ${dir}, which a run in memory cannot read.`,
        { hint: 'Fine-tune in Node (lstmkit train --init-from).' },
      );
    },
    release: async () => {},
  };
}
