import type { HistoryRow, TrainEvent } from '@lstmkit/trainer';
import type { TrainReport } from './model-state';

/** Page -> worker. */
export type TrainRequest =
  | {
      type: 'train';
      fileName: string;
      text: string;
      preset: 'default' | 'textbook';
      epochs: number;
      sequenceLength?: number;
      hiddenSize?: number;
      embeddingDim?: number;
      batchSize?: number;
    }
  | { type: 'stop' };

/** Worker -> page. */
export type TrainMessage =
  | { type: 'backend'; line: string }
  | { type: 'dataset'; examples: number; labels: string[]; skipped: number }
  | { type: 'event'; event: TrainEvent }
  | {
      type: 'done';
      files: [string, Uint8Array][] | undefined;
      report: TrainReport | undefined;
      history: HistoryRow[];
      interrupted: boolean;
    }
  | { type: 'error'; message: string; hint?: string };
