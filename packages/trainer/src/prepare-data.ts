import {
  type DatasetRecord,
  type DatasetSource,
  LengthCounter,
  LstmkitError,
  PipelineFitter,
  type PipelineJSON,
  sortLabelNames,
  splitDefaults,
  splitOfRecord,
  TextPipeline,
} from '@lstmkit/preprocess';
import type { RunConfig } from './config.js';
import {
  type DataManifest,
  type DataStore,
  type ShardedSplit,
  type SplitName,
  shardFileName,
} from './data-store.js';
import { cachedPass, passReporter, readPass } from './pass-events.js';
import { SHARD_ROWS, ShardBuilder } from './shards.js';
import type { PassEvent } from './types.js';

/** Bump when the encoding changes: older caches are then encoded again. */
const ENCODING_VERSION = 1;
const SPLITS: readonly SplitName[] = ['train', 'validation', 'test'];

export interface DataInputs {
  source: DatasetSource;
  config: RunConfig;
  store: DataStore;
  /** The store's digest function (SHA-256 in Node). */
  hash: (parts: Iterable<string>) => string;
  onEvent: (event: PassEvent) => void;
  /** Rows per shard (default SHARD_ROWS; small in tests, to exercise many shards). */
  shardRows?: number;
}

/** Pass 1's result: the fitted pipeline and what the data holds. */
export interface FittedData {
  name: string;
  fitKey: string;
  labelNames: string[];
  /** Fitted on the train split (fine-tuning: the bundle's). */
  pipeline: TextPipeline;
  /** Token lengths of the train split before truncation. */
  trainLengths: LengthCounter;
  records: number;
  skipped: number;
  weighted: boolean;
  /** The dataset has validation records of its own. */
  givenValidation: boolean;
  pruned: DataManifest['pruned'];
  /** The encoding found in the store, reused when its `encodeKey` matches. */
  previous: { manifest: DataManifest; pipeline: PipelineJSON } | undefined;
}

/** Pass 2's result: the shards a run trains, validates and tests on. */
export interface PreparedData extends FittedData {
  encodeKey: string;
  manifest: DataManifest;
}

/**
 * Where a pass sends each record: the seeded hash split, or the dataset's own (train and test
 * only: validation is carved out of train; with its own validation records, train stays train).
 * Validation records beyond `maxValidation`, in file order, are trained on instead, so a
 * bounded validation set wastes no data. Stateful: one per pass.
 */
function splitter(config: RunConfig, givenValidation: boolean) {
  const { seed, fractions } =
    config.split.source === 'hashed'
      ? config.split
      : { seed: config.seed, fractions: splitDefaults.fractions };
  let validation = 0;
  const state = {
    movedToTrain: 0,
    of(record: DatasetRecord): SplitName {
      const split = splitOfRecord(record, seed, fractions, givenValidation);
      if (split !== 'validation' || ++validation <= config.maxValidation) return split;
      state.movedToTrain++;
      return 'train';
    },
  };
  return state;
}

/**
 * Pass 1: the data's digest, its labels, the vocabulary fitted on the train split with a
 * bounded count table, and the train split's lengths. Reused from the store when the data and
 * recipe are the same (`fitKey`).
 */
export async function fitData(
  inputs: DataInputs,
  initial?: { pipeline: TextPipeline; labelNames: readonly string[] },
): Promise<FittedData> {
  const { source, config, store, hash } = inputs;
  const digestPass = passReporter(inputs.onEvent, 'digest', 'bytes', source.bytes);
  const digest = await source.digest();
  digestPass.finish(source.bytes ?? 0);
  const fitKey = hash([
    JSON.stringify({
      version: ENCODING_VERSION,
      digest,
      pipeline: config.pipeline,
      vocabulary: config.vocabulary,
      split: config.split,
      seed: config.split.source === 'hashed' ? undefined : config.seed,
      maxValidation: config.maxValidation,
      labelNames: source.labelNames ?? null,
    }),
    initial ? JSON.stringify(initial.pipeline.toJSON()) : '',
  ]);
  const previous = await store.readManifest();
  if (previous?.manifest.fitKey === fitKey) {
    const { manifest } = previous;
    cachedPass(inputs.onEvent, 'count', manifest.records);
    return {
      name: source.name,
      fitKey,
      labelNames: checkInitialLabels(initial, manifest.labelNames, source.name),
      pipeline: initial?.pipeline ?? TextPipeline.fromJSON(previous.pipeline),
      trainLengths: LengthCounter.fromJSON(manifest.trainLengths),
      records: manifest.records,
      skipped: manifest.skipped,
      weighted: manifest.weighted,
      givenValidation: manifest.givenValidation,
      pruned: manifest.pruned,
      previous,
    };
  }

  const first = await countPass(inputs, initial, false);
  // Validation records of its own, seen after train records were carved into validation: the
  // rare dataset that needs a second counting pass, with train kept as train.
  const counted =
    first.sawValidation && first.carved ? await countPass(inputs, initial, true) : first;
  const { fitter, trainLengths, labels, records, weighted, skipped } = counted;
  if (trainLengths.count === 0) {
    throw new LstmkitError('INVALID_DATASET', `${source.name}: the train split is empty.`, {
      hint: 'Use more examples or a larger train fraction.',
    });
  }
  const labelNames = source.labelNames ? [...source.labelNames] : sortLabelNames(labels);
  if (labelNames.length < 2) {
    throw new LstmkitError(
      'INVALID_DATASET',
      `${source.name} has ${labelNames.length} label${labelNames.length === 1 ? '' : 's'} (${labelNames.join(', ')}); a classifier needs at least 2.`,
    );
  }
  return {
    name: source.name,
    fitKey,
    labelNames: checkInitialLabels(initial, labelNames, source.name),
    pipeline: initial?.pipeline ?? fitter!.finish(),
    trainLengths,
    records,
    skipped,
    weighted,
    givenValidation: counted.sawValidation,
    pruned: fitter?.pruned ?? { tokens: 0, belowCount: 0 },
    previous,
  };
}

/** One counting pass: labels, weights, and the vocabulary and lengths of the train split. */
async function countPass(
  inputs: DataInputs,
  initial: { pipeline: TextPipeline } | undefined,
  givenValidation: boolean,
) {
  const { source, config } = inputs;
  const split = splitter(config, givenValidation);
  const fitter = initial ? undefined : new PipelineFitter(config.pipeline, config.vocabulary);
  const trainLengths = new LengthCounter();
  const known = source.labelNames && new Set(source.labelNames);
  const labels = new Set<string>();
  let records = 0;
  let weighted = false;
  let sawValidation = false;
  let carved = false;
  const pass = readPass(source, inputs.onEvent, 'count');
  for await (const record of pass.records) {
    records++;
    if (known && !known.has(record.label)) {
      throw new LstmkitError(
        'INVALID_DATASET',
        `${record.where ?? `Record ${records}`} has label ${JSON.stringify(record.label)}, not one of ${[...known].join(', ')}.`,
      );
    }
    labels.add(record.label);
    if (record.weight !== undefined) {
      checkWeight(record, records);
      if (record.weight !== 1) weighted = true;
    }
    if (record.split === 'validation') sawValidation = true;
    const name = split.of(record);
    if (name === 'train') {
      trainLengths.add(
        fitter ? fitter.add(record.text) : initial!.pipeline.tokens(record.text).length,
      );
    } else if (name === 'validation' && record.split === 'train') {
      carved = true;
    }
  }
  pass.finish(records);
  const skipped = pass.skipped();
  return { fitter, trainLengths, labels, records, weighted, skipped, sawValidation, carved };
}

function checkWeight(record: DatasetRecord, index: number): void {
  const w = record.weight;
  if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) {
    throw new LstmkitError(
      'INVALID_DATASET',
      `${record.where ?? `Record ${index}`} has weight ${JSON.stringify(w)}; weights must be finite numbers >= 0.`,
    );
  }
}

/**
 * A fine-tuned bundle keeps its label order; the data must have the same labels. Any
 * difference is named: a new label would need a new output layer, a missing one skews the head.
 */
function checkInitialLabels(
  initial: { labelNames: readonly string[] } | undefined,
  dataLabels: readonly string[],
  name: string,
): string[] {
  if (!initial) return [...dataLabels];
  const extra = dataLabels.filter((label) => !initial.labelNames.includes(label));
  const absent = initial.labelNames.filter((label) => !dataLabels.includes(label));
  if (extra.length > 0 || absent.length > 0) {
    const list = (names: readonly string[]) => names.map((n) => `'${n}'`).join(', ');
    throw new LstmkitError(
      'LABEL_MISMATCH',
      `Cannot fine-tune on ${name}: the bundle's labels are ${list(initial.labelNames)}, the data's ${list(dataLabels)}${extra.length > 0 ? `; not in the bundle: ${list(extra)}` : ''}${absent.length > 0 ? `; not in the data: ${list(absent)}` : ''}.`,
      {
        hint: 'Fine-tune on data with the labels the bundle was trained on, or train a new model.',
      },
    );
  }
  return [...initial.labelNames];
}

/**
 * Pass 2: every record hash-split and encoded with `pipeline` (the fitted one, or the one the
 * pretrained vectors left) into shards of ids without padding; validation stops at
 * `maxValidation` rows (the rest are trained on). Reused when the store holds the same encoding (`encodeKey`).
 */
export async function encodeData(
  inputs: DataInputs,
  fitted: FittedData,
  pipeline: TextPipeline,
): Promise<PreparedData> {
  const { source, config, store, shardRows = SHARD_ROWS } = inputs;
  // fitKey already covers the data, the recipe, the labels and the validation cap.
  const encodeKey = inputs.hash([fitted.fitKey, JSON.stringify(pipeline.toJSON())]);
  const { previous } = fitted;
  if (previous?.manifest.encodeKey === encodeKey) {
    cachedPass(inputs.onEvent, 'encode', previous.manifest.records);
    return { ...fitted, pipeline, encodeKey, manifest: previous.manifest };
  }

  await store.clear();
  const idType = pipeline.vocabulary.size > 0x10000 ? 'int32' : 'uint16';
  const labelIndex = new Map(fitted.labelNames.map((name, i) => [name, i]));
  const split = splitter(config, fitted.givenValidation);
  const splits = Object.fromEntries(
    SPLITS.map((name) => [
      name,
      {
        rows: 0,
        tokens: 0,
        shards: [],
        labelCounts: fitted.labelNames.map(() => 0),
        weighted: fitted.weighted && name === 'train',
      } satisfies ShardedSplit,
    ]),
  ) as unknown as Record<SplitName, ShardedSplit>;
  const builders = Object.fromEntries(
    SPLITS.map((name) => [name, new ShardBuilder(idType === 'int32', splits[name].weighted)]),
  ) as Record<SplitName, ShardBuilder>;
  const flush = async (name: SplitName) => {
    const builder = builders[name];
    if (builder.rows === 0) return;
    const { shards } = splits[name];
    const file = shardFileName(name, shards.length);
    shards.push({ file, rows: builder.rows });
    await store.writeShard(file, builder.take());
  };

  const pass = readPass(source, inputs.onEvent, 'encode');
  let records = 0;
  for await (const record of pass.records) {
    records++;
    const name = split.of(record);
    const part = splits[name];
    const label = labelIndex.get(record.label);
    if (label === undefined) {
      throw new LstmkitError(
        'INVALID_DATASET',
        `${record.where ?? `Record ${records}`} has label ${JSON.stringify(record.label)}, which the first pass over ${source.name} did not see: the data changed while it was read.`,
      );
    }
    const ids = pipeline.encodeIds(record.text);
    builders[name].add(ids, label, record.weight ?? 1);
    part.rows++;
    part.tokens += ids.length;
    part.labelCounts[label]!++;
    if (builders[name].rows === shardRows) await flush(name);
  }
  for (const name of SPLITS) await flush(name);
  pass.finish(records);
  if (records !== fitted.records) {
    throw new LstmkitError(
      'INVALID_DATASET',
      `${source.name} gave ${records} records in the second pass and ${fitted.records} in the first: it changed while it was read.`,
    );
  }
  if (splits.validation.rows === 0) {
    throw new LstmkitError('INVALID_DATASET', `${source.name}: the validation split is empty.`, {
      hint: 'Use more examples or a larger validation fraction.',
    });
  }
  const manifest: DataManifest = {
    format: 'lstmkit-encoded-data',
    formatVersion: 1,
    fitKey: fitted.fitKey,
    encodeKey,
    source: { name: source.name, digest: await source.digest() },
    labelNames: fitted.labelNames,
    records,
    skipped: fitted.skipped,
    trainLengths: fitted.trainLengths.toJSON(),
    weighted: fitted.weighted,
    givenValidation: fitted.givenValidation,
    pruned: fitted.pruned,
    validationToTrain: split.movedToTrain,
    idType,
    splits,
  };
  await store.commit(manifest, fitted.pipeline.toJSON());
  return { ...fitted, pipeline, encodeKey, manifest };
}
