import {
  type BackendInfo,
  type Bundle,
  createModel,
  FusedAdam,
  initBackend,
  type ModelConfig,
} from '@lstmkit/model';
import { type LengthCounter, LstmkitError, TextPipeline } from '@lstmkit/preprocess';
import * as tf from '@tensorflow/tfjs';
import { resolveClassWeights } from './class-weights.js';
import { type RunConfig, resumableFields } from './config.js';
import { finishRun } from './finish-run.js';
import { checkThreshold, type ResolvedTrainOptions, resolveTrainOptions } from './options.js';
import { type DataInputs, encodeData, fitData } from './prepare-data.js';
import {
  embeddingLayer,
  loadPretrainedEmbeddings,
  type PretrainedEmbeddings,
  setEmbeddingFrozen,
} from './pretrained-embeddings.js';
import type { RunStore } from './run-store.js';
import { deriveSeed } from './seed.js';
import { ShardReader, TrainBatches } from './sharded-data.js';
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
    const initial = initFrom ? await store.loadInitialBundle(initFrom) : undefined;
    try {
      return await trainInto(store, o, backend, options, initial);
    } finally {
      initial?.model.dispose();
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
  const inputs: DataInputs = {
    source: o.source,
    config: given,
    store: store.data,
    hash: (parts) => store.fingerprint(parts),
    onEvent: o.onEvent,
  };
  const fitted = await fitData(inputs, initial);
  const { labelNames } = fitted;
  const numClasses = labelNames.length;
  checkThreshold(options.threshold, numClasses);

  const saved = o.resume ? await store.readRunState() : undefined;
  if (!saved) await store.clearRunState();
  let pipeline = saved ? TextPipeline.fromJSON(saved.pipeline) : fitted.pipeline;
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
  const data = await encodeData(inputs, fitted, pipeline);
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
  const fixed: Partial<RunConfig> = { ...config };
  for (const field of resumableFields) delete fixed[field];
  const fingerprint = store.fingerprint([
    JSON.stringify({ config: fixed, labelNames }),
    data.encodeKey,
  ]);
  if (saved && saved.fingerprint !== fingerprint) {
    throw new LstmkitError(
      'RESUME_MISMATCH',
      `The run saved in ${paths.runDir} was started with different data or options.`,
      {
        hint: `Resume with the same dataset and options (${resumableFields.join(' and ')} may change), or start over.`,
      },
    );
  }

  const { splits } = data.manifest;
  const classWeights =
    config.classWeight &&
    resolveClassWeights(config.classWeight, splits.train.labelCounts, labelNames);
  const reader = new ShardReader(store.data, pipeline, classWeights);
  const batches = new TrainBatches(reader, splits.train, config.batchSize, config.seed);
  const stepsPerEpoch = batches.stepsPerEpoch;
  const model = createModel(modelConfig);
  const progress = saved ?? freshProgress(config, stepsPerEpoch);
  if (embeddings) progress.embeddings = embeddings;
  const run: Run = {
    o,
    config,
    backend,
    store,
    paths,
    labelNames,
    datasetName: fitted.name,
    prepared: data,
    lengths: tokenLengths(fitted.trainLengths, pipeline.config.sequence.length),
    pipeline,
    modelConfig,
    fingerprint,
    data: {
      train: batches,
      validation: await reader.all(splits.validation),
      test: splits.test,
      reader,
    },
    model,
    optimizer: new FusedAdam(config.learningRate),
    stepsPerEpoch,
    progress,
    record: {
      dataset: fitted.name,
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
      labelNames,
      totalEpochs: config.epochs,
      stepsPerEpoch,
      trainSize: splits.train.rows,
      validationSize: splits.validation.rows,
      testSize: splits.test.rows,
      validationToTrain: data.manifest.validationToTrain,
      dataDir: store.data.dir,
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

export type TokenLengths = ReturnType<typeof tokenLengths>;

/** Tokens per training example before truncation, against the sequence length the model reads. */
function tokenLengths(lengths: LengthCounter, sequenceLength: number) {
  return {
    ...lengths.stats(),
    sequenceLength,
    truncated: lengths
      .toJSON()
      .reduce((sum, [length, count]) => (length > sequenceLength ? sum + count : sum), 0),
    histogram: lengths.histogram(24),
  };
}
