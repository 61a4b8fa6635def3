import type { MetricsView } from './metrics.js';

/** The trainer's `TrainEvent`, as far as the renderer reads it. */
export type TrainEventView =
  | {
      type: 'start';
      totalEpochs: number;
      stepsPerEpoch: number;
      trainSize: number;
      validationSize: number;
      testSize: number;
      backend: string;
    }
  | {
      type: 'step';
      epoch: number;
      step: number;
      stepsPerEpoch: number;
      loss: number;
      samplesPerSecond: number;
    }
  | {
      type: 'evaluation';
      epoch: number;
      step: number;
      train: { loss: number; accuracy: number };
      validation: MetricsView;
      improved: boolean;
    }
  | { type: 'checkpoint'; epoch: number; step: number; dir: string; validationLoss: number }
  | { type: 'epoch'; epoch: number; seconds: number }
  | { type: 'early-stop'; epoch: number; bestEpoch: number }
  | { type: 'end'; result: unknown };
