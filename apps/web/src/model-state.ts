import type { Classifier } from '@lstmkit/model';
import type { HistoryRow, Metrics } from '@lstmkit/trainer';

/** The trainer's report.json, as far as the page reads it. */
export interface TrainReport {
  status: string;
  dataset: { name: string; labelNames: string[]; sizes: Record<string, number>; skipped: number };
  config: Record<string, unknown> & { learningRate: number; batchSize: number; epochs: number };
  vocabularySize: number;
  backend: { name: string; reason: string };
  best: { epoch: number; step: number };
  epochsRun: number;
  stoppedEarly: boolean;
  metrics: { validation: Metrics; test: Metrics };
  timings: { secondsPerEpoch: number; trainingSeconds: number; trainSentencesPerSecond: number };
  lengths?: {
    count: number;
    p50: number;
    p95: number;
    max: number;
    sequenceLength: number;
    truncated: number;
    histogram: { from: number; to: number; count: number }[];
  };
}

export interface OpenModel {
  classifier: Classifier;
  name: string;
  /** 'server': the bundle `lstmkit serve` runs, so /predict can be compared. */
  source: 'server' | 'url' | 'files' | 'trained';
  report?: TrainReport;
  history?: readonly HistoryRow[];
  /** The bundle's files, for a download (trained in the page). */
  files?: ReadonlyMap<string, Uint8Array>;
}

let current: OpenModel | undefined;
const listeners: ((model: OpenModel) => void)[] = [];

export const openModel = () => current;

export function setOpenModel(model: OpenModel): void {
  current?.classifier.dispose();
  current = model;
  for (const listener of listeners) listener(model);
}

export function onModelChange(listener: (model: OpenModel) => void): void {
  listeners.push(listener);
}
