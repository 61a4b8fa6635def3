import type { Metrics } from './types.js';

/** One row of `history.jsonl`: one validation pass. */
export interface HistoryRow {
  /** 1-based epoch the evaluation happened in. */
  epoch: number;
  /** Optimizer steps since the start of training. */
  step: number;
  /** `step / stepsPerEpoch`: the x axis of the plot. */
  epochs: number;
  /** Running means over the training batches since the previous evaluation. */
  train: { loss: number; accuracy: number };
  validation: Metrics;
  improved: boolean;
  /** Training seconds since the start (excluding time before a resume's interruption). */
  seconds: number;
  /** The learning rate of the last step before this evaluation. */
  learningRate?: number;
}

export function historyToJsonl(rows: readonly HistoryRow[]): string {
  return rows.map((row) => `${JSON.stringify(row)}\n`).join('');
}
