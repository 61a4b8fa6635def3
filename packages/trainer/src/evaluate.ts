import {
  type Classifier,
  type InferenceModel,
  inferenceDefaults,
  predictProbabilities,
} from '@lstmkit/model';
import {
  type DatasetRecord,
  type DatasetSource,
  type Example,
  LstmkitError,
  sortLabelNames,
  splitDataset,
  splitOfRecord,
} from '@lstmkit/preprocess';
import type { EncodedSplit } from './batching.js';
import { type SplitRecord, splitOptionsOf } from './config.js';
import { computeMetrics } from './metrics.js';
import { readPass } from './pass-events.js';
import type { Metrics, PassEvent } from './types.js';

/** Rows scored between two progress reports. */
const PROGRESS_ROWS = 2048;

/** Metrics of a trained model on an encoded split (binary: label 1 at P >= threshold). */
export function evaluateSplit(
  model: InferenceModel,
  split: EncodedSplit,
  numClasses: number,
  options: { rocCurve?: boolean; threshold?: number; onProgress?: (rows: number) => void } = {},
): Metrics {
  const { onProgress, ...metricOptions } = options;
  const probabilities = splitProbabilities(model, split, onProgress);
  return computeMetrics(split.labels, probabilities, numClasses, metricOptions);
}

/**
 * The class probabilities of each example of a split, in its order, scored in slices of rows
 * so a long split reports progress (`onProgress(rows scored)`). Rows are independent in the
 * masked model, so the slicing changes no probability.
 */
export function splitProbabilities(
  model: InferenceModel,
  split: EncodedSplit,
  onProgress?: (rows: number) => void,
): number[][] {
  const { data, shape } = split.encoded;
  const [rows, length] = shape;
  const probabilities: number[][] = [];
  for (let start = 0; start < rows; start += PROGRESS_ROWS) {
    const end = Math.min(rows, start + PROGRESS_ROWS);
    const slice = predictProbabilities(
      model,
      { data: data.subarray(start * length, end * length), shape: [end - start, length] },
      {
        padId: split.padId,
        batchSize: inferenceDefaults.batchSize,
        lengths: split.lengths.subarray(start, end),
      },
    );
    for (const row of slice) probabilities.push(row);
    onProgress?.(end);
  }
  return probabilities;
}

/**
 * Metrics of a loaded classifier on labelled examples (labels index `bundle.labelNames`), with
 * its decision threshold.
 */
export function evaluate(classifier: Classifier, examples: readonly Example[]): Metrics {
  const predictions = classifier.predict(examples.map((e) => e.text));
  return computeMetrics(
    examples.map((e) => e.label),
    predictions.map((p) => p.probabilities),
    classifier.bundle.labelNames.length,
    { threshold: classifier.threshold },
  );
}

export interface EvaluateSourceOptions {
  /** Score only this split's records (the bundle's `training.split`); absent: every record. */
  split?: SplitRecord;
  /** Texts per `classifier.predict` call (default 4,096). */
  chunkSize?: number;
  onEvent?: (event: PassEvent) => void;
}

/**
 * Metrics of a loaded classifier on a dataset read as a stream: records are matched to the
 * model's labels by name and predicted in chunks, so only labels and probabilities are kept.
 * With `split`, only the records that training put in its test split are scored (a 0.1
 * bundle's in-memory `seeded` split is recreated in memory).
 */
export async function evaluateSource(
  classifier: Classifier,
  source: DatasetSource,
  options: EvaluateSourceOptions = {},
): Promise<Metrics> {
  const { split, chunkSize = 4096, onEvent = () => {} } = options;
  if (split?.source === 'given') {
    throw new LstmkitError(
      'SPLIT_NOT_RECORDED',
      'The model was trained on splits given to the trainer, so its test set cannot be recreated.',
      { hint: 'Score every record of held-out data instead.' },
    );
  }
  const labelNames = classifier.bundle.labelNames;
  const index = new Map(labelNames.map((name, i) => [name, i]));
  const labels: number[] = [];
  const probabilities: number[][] = [];
  let texts: string[] = [];
  const flush = () => {
    for (const prediction of classifier.predict(texts))
      probabilities.push(prediction.probabilities);
    texts = [];
  };
  const pass = readPass(source, onEvent, 'test');
  const records =
    split?.source === 'seeded' ? seededTestRecords(pass.records, source, split) : pass.records;
  for await (const record of records) {
    if (
      split?.source === 'hashed' &&
      splitOfRecord(record, split.seed, split.fractions) !== 'test'
    ) {
      continue;
    }
    const label = index.get(record.label);
    if (label === undefined) {
      throw new LstmkitError(
        'LABEL_MISMATCH',
        `${record.where ?? source.name} has label '${record.label}', which the model does not know (model labels: ${labelNames.join(', ')})`,
        { hint: 'Evaluate on data labelled like the training data.' },
      );
    }
    labels.push(label);
    texts.push(record.text);
    if (texts.length === chunkSize) flush();
  }
  flush();
  pass.finish(labels.length);
  return computeMetrics(labels, probabilities, labelNames.length, {
    threshold: classifier.threshold,
  });
}

/** A 0.1 bundle's test split: the seeded in-memory shuffle it was trained with. */
async function* seededTestRecords(
  all: AsyncIterable<DatasetRecord>,
  source: DatasetSource,
  split: SplitRecord,
): AsyncGenerator<DatasetRecord> {
  const records = [];
  for await (const record of all) records.push(record);
  const names = source.labelNames ?? sortLabelNames(records.map((r) => r.label));
  const examples = records.map((r) => ({ ...r, label: names.indexOf(r.label) }));
  for (const example of splitDataset(examples, splitOptionsOf(split)).test) {
    yield { ...example, label: names[example.label]! };
  }
}
