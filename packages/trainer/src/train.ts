import {
  type BackendInfo,
  type Bundle,
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
import * as tf from '@tensorflow/tfjs';
import { encodeSplit } from './batching.js';
import { exampleWeights, resolveClassWeights } from './class-weights.js';
import { type RunConfig, resumableFields, splitOptionsOf } from './config.js';
import { loadInitialBundle } from './fine-tune.js';
import { finishRun } from './finish-run.js';
import { type ResolvedTrainOptions, resolveTrainOptions } from './options.js';
import {
  embeddingLayer,
  loadPretrainedEmbeddings,
  type PretrainedEmbeddings,
  setEmbeddingFrozen,
} from './pretrained-embeddings.js';
import type { RunStore } from './run-store.js';
import { deriveSeed } from './seed.js';
import { freshProgress, positionOf, type Run, runEpochs } from './step-loop.js';
import type { TrainOptions, TrainResult } from './types.js';

/** Stream tag for deriveSeed: the random rows of words the vector file lacks. */
const EMBEDDING_STREAM = 0xe3b;

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
    const { initFrom } = o.config;
    const initial = initFrom
      ? await loadInitialBundle(store.loadInitialBundle, initFrom, o.dataset, o.splits)
      : undefined;
    try {
      if (initial) {
        o.dataset = initial.dataset;
        o.splits = initial.splits;
      }
      return await trainInto(store, o, backend, options, initial?.bundle);
    } finally {
      initial?.bundle.model.dispose();
    }
  } finally {
    await store.release();
  }
}

async function trainInto(
  store: RunStore,
  o: ResolvedTrainOptions,
  backend: BackendInfo,
  options: TrainOptions,
  initial: Bundle | undefined,
): Promise<TrainResult> {
  const { paths } = store;
  const given = o.config;
  const numClasses = o.dataset.labelNames.length;
  const splits = o.splits ?? splitDataset(o.dataset.examples, splitOptionsOf(given.split));
  checkSplits(splits, numClasses);

  const saved = o.resume ? await store.readRunState() : undefined;
  if (!saved) await store.clearRunState();
  let pipeline = saved
    ? TextPipeline.fromJSON(saved.pipeline)
    : (initial?.pipeline ??
      TextPipeline.fit(
        splits.train.map((e) => e.text),
        given.pipeline,
        given.vocabulary,
      ));
  // A resumed run has its embedding in the saved weights: the file is not read again.
  let pretrained: PretrainedEmbeddings | undefined;
  if (given.embeddings && !saved) {
    const seed = deriveSeed(given.seed, EMBEDDING_STREAM);
    const { path, keepMissing } = given.embeddings;
    pretrained = await loadPretrainedEmbeddings(
      store.readWordVectors,
      path,
      pipeline,
      keepMissing,
      seed,
    );
    pipeline = pretrained.pipeline;
  }
  const embeddings = saved?.embeddings ?? (pretrained && embeddingsRecord(given, pretrained));
  if (embeddings) {
    const asked = options.model?.embeddingDim;
    if (asked !== undefined && asked !== embeddings.dimensions) {
      throw new LstmkitError(
        'INVALID_TRAIN_OPTIONS',
        `Training option 'model.embeddingDim' is ${asked}, but the vectors in ${embeddings.path} have ${embeddings.dimensions} dimensions.`,
        { hint: 'Leave embeddingDim out: it comes from the word-vector file.' },
      );
    }
    o.onEvent({ type: 'embeddings', ...embeddings });
  }
  const modelConfig: ModelConfig = initial
    ? initial.modelConfig
    : {
        ...given.model,
        ...(embeddings && { embeddingDim: embeddings.dimensions }),
        vocabSize: pipeline.vocabulary.size,
        numClasses,
      };
  // The config as trained: a fine-tuned bundle's model and pipeline, the vectors' size.
  const { vocabSize: _v, numClasses: _n, ...trainedModel } = modelConfig;
  const config: RunConfig = { ...given, model: trainedModel, pipeline: pipeline.config };
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

  const classWeights =
    config.classWeight &&
    resolveClassWeights(
      config.classWeight,
      splits.train.map((e) => e.label),
      o.dataset.labelNames,
    );
  const weights = exampleWeights(splits.train, classWeights);
  const data = {
    train: { ...encodeSplit(pipeline, splits.train), ...(weights && { weights }) },
    validation: encodeSplit(pipeline, splits.validation),
    test: encodeSplit(pipeline, splits.test),
  };
  const stepsPerEpoch = Math.ceil(data.train.count / config.batchSize);
  const model = createModel(modelConfig);
  const progress = saved ?? freshProgress(config, stepsPerEpoch);
  if (embeddings) progress.embeddings = embeddings;
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
    optimizer: new FusedAdam(config.learningRate),
    stepsPerEpoch,
    progress,
    record: {
      dataset: o.dataset.name,
      ...config,
      ...(classWeights && { classWeights }),
      ...(embeddings && {
        embeddingCoverage: {
          format: embeddings.format,
          dimensions: embeddings.dimensions,
          found: embeddings.coverage.found,
          missing: embeddings.coverage.missing,
        },
      }),
    },
  };
  try {
    if (initial) model.setWeights(initial.model.getWeights());
    if (pretrained) {
      const { values, dimensions } = pretrained.matrix;
      const matrix = tf.tensor2d(values, [pipeline.vocabulary.size, dimensions]);
      embeddingLayer(model).setWeights([matrix]);
      matrix.dispose();
    }
    // The saved optimizer state holds the variables of the saved freeze state.
    setEmbeddingFrozen(model, progress.embeddingFrozen);
    if (saved) await store.restoreTensors(model, run.optimizer);
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
    run.optimizer.dispose();
  }
}

/** What a run says about its pretrained vectors (event, report, bundle, run state). */
function embeddingsRecord(config: RunConfig, pretrained: PretrainedEmbeddings) {
  return {
    path: config.embeddings!.path,
    format: pretrained.format,
    dimensions: pretrained.matrix.dimensions,
    coverage: pretrained.matrix.coverage,
  };
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
