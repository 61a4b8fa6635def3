import {
  type BackendInfo,
  createModel,
  FusedAdam,
  initBackend,
  type ModelConfig,
} from '@lstmkit/model';
import {
  type DatasetSplits,
  type Example,
  LstmkitError,
  lengthHistogram,
  lengthStats,
  splitDataset,
  TextPipeline,
} from '@lstmkit/preprocess';
import { encodeSplit } from './batching.js';
import { type RunConfig, resumableFields, splitOptionsOf } from './config.js';
import { finishRun } from './finish-run.js';
import { type ResolvedTrainOptions, resolveTrainOptions } from './options.js';
import type { RunStore } from './run-store.js';
import { freshProgress, positionOf, type Run, runEpochs } from './step-loop.js';
import type { TrainOptions, TrainResult } from './types.js';

/**
 * Train a classifier: split, fit the pipeline on the train split, train with Adam and
 * global-norm clipping on length-bucketed, trimmed batches, validate, keep the best bundle in
 * the store (Node: `outDir`), stop early, then evaluate the best bundle on the test split and
 * write the report.
 */
export async function trainWithStore(
  options: TrainOptions,
  openStore: (outDir: string) => Promise<RunStore>,
): Promise<TrainResult> {
  const o = resolveTrainOptions(options);
  const backend = await initBackend({
    ...(o.backend ? { backend: o.backend } : {}),
    log: () => {},
  });
  const store = await openStore(o.outDir);
  try {
    return await trainInto(store, o, backend);
  } finally {
    await store.release();
  }
}

async function trainInto(
  store: RunStore,
  o: ResolvedTrainOptions,
  backend: BackendInfo,
): Promise<TrainResult> {
  const { paths } = store;
  const { config } = o;
  const numClasses = o.dataset.labelNames.length;
  const splits = o.splits ?? splitDataset(o.dataset.examples, splitOptionsOf(config.split));
  checkSplits(splits, numClasses);

  const saved = o.resume ? await store.readRunState() : undefined;
  if (!saved) await store.clearRunState();
  const pipeline = saved
    ? TextPipeline.fromJSON(saved.pipeline)
    : TextPipeline.fit(
        splits.train.map((e) => e.text),
        config.pipeline,
        config.vocabulary,
      );
  const modelConfig: ModelConfig = {
    ...config.model,
    vocabSize: pipeline.vocabulary.size,
    numClasses,
  };
  const fingerprint = store.fingerprint(fingerprintParts(config, o.dataset.labelNames, splits));
  if (saved && saved.fingerprint !== fingerprint) {
    throw new LstmkitError(
      'RESUME_MISMATCH',
      `The run saved in ${paths.runDir} was started with different data or options.`,
      {
        hint: `Resume with the same dataset and options (${resumableFields.join(' and ')} may change), or start over.`,
      },
    );
  }

  const data = {
    train: encodeSplit(pipeline, splits.train),
    validation: encodeSplit(pipeline, splits.validation),
    test: encodeSplit(pipeline, splits.test),
  };
  const stepsPerEpoch = Math.ceil(data.train.count / config.batchSize);
  const model = createModel(modelConfig);
  const optimizer = new FusedAdam(config.learningRate);
  try {
    if (saved) await store.restoreTensors(model, optimizer);
    const run: Run = {
      o,
      config,
      backend,
      store,
      paths,
      lengths: tokenLengths(pipeline, splits.train),
      pipeline,
      modelConfig,
      fingerprint,
      data,
      model,
      optimizer,
      stepsPerEpoch,
      progress: saved ?? freshProgress(),
      record: { dataset: o.dataset.name, ...config },
    };
    o.onEvent({
      type: 'start',
      totalEpochs: config.epochs,
      stepsPerEpoch,
      trainSize: data.train.count,
      validationSize: data.validation.count,
      testSize: data.test.count,
      backend: backend.name,
      config,
      ...(saved && { resumedFrom: positionOf(saved, stepsPerEpoch) }),
    });
    const outcome = await runEpochs(run);
    return await finishRun(run, outcome);
  } finally {
    model.dispose();
    optimizer.dispose();
  }
}

function checkSplits(splits: DatasetSplits, numClasses: number): void {
  const check = (name: keyof DatasetSplits, examples: readonly Example[], required: boolean) => {
    if (required && examples.length === 0) {
      throw new LstmkitError('INVALID_DATASET', `The ${name} split is empty.`, {
        hint: 'Use more examples or larger split fractions.',
      });
    }
    const bad = examples.findIndex(
      (e) => !Number.isInteger(e.label) || e.label < 0 || e.label >= numClasses,
    );
    if (bad >= 0) {
      throw new LstmkitError(
        'INVALID_DATASET',
        `Example ${bad} of the ${name} split has label ${JSON.stringify(examples[bad]!.label)}, outside 0..${numClasses - 1} (dataset.labelNames).`,
      );
    }
  };
  check('train', splits.train, true);
  check('validation', splits.validation, true);
  check('test', splits.test, false);
}

/** Everything in the run config but its `resumableFields`, the labels and the split contents. */
function* fingerprintParts(
  config: RunConfig,
  labelNames: readonly string[],
  splits: DatasetSplits,
): Generator<string> {
  const fixed: Partial<RunConfig> = { ...config };
  for (const field of resumableFields) delete fixed[field];
  yield JSON.stringify({ config: fixed, labelNames });
  for (const name of ['train', 'validation', 'test'] as const) {
    yield `\n${name}:${splits[name].length}\n`;
    for (const e of splits[name]) yield `${e.label}\t${e.text}\n`;
  }
}

export type TokenLengths = ReturnType<typeof tokenLengths>;

/** Tokens per training example before truncation, against the sequence length the model reads. */
function tokenLengths(pipeline: TextPipeline, examples: readonly Example[]) {
  const lengths = examples.map((e) => pipeline.tokens(e.text).length);
  const sequenceLength = pipeline.config.sequence.length;
  const stats = lengthStats(lengths);
  return {
    ...stats,
    sequenceLength,
    truncated: lengths.filter((length) => length > sequenceLength).length,
    histogram: lengthHistogram(lengths, stats, 24),
  };
}
