import type { SkippedRecord } from './dataset-source';

export interface Example {
  text: string;
  /** Index into `Dataset.labelNames`. */
  label: number;
  /** A split given by the dataset itself (imdb-50k); `splitDataset` keeps it. */
  split?: 'train' | 'validation' | 'test';
  /** Loss weight of a training example (default 1), as Keras' `sample_weight`. */
  weight?: number;
}

export interface Dataset {
  /** Dataset name or file path. */
  name: string;
  examples: Example[];
  /** Label i is `labelNames[i]`; for binary data index 1 is the positive class. */
  labelNames: string[];
  /** Malformed records skipped in lenient mode (empty otherwise: strict mode throws). */
  skipped: SkippedRecord[];
}
