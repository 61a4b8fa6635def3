import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import {
  type BackendInfo,
  type Bundle,
  createModel,
  initBackend,
  lockDirectory,
  type ModelConfig,
} from '@lstmkit/model';
import {
  type DatasetSplits,
  type Example,
  LstmkitError,
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
import { checkOutputs, type OutputPaths } from './outputs.js';
import {
  embeddingLayer,
  loadPretrainedEmbeddings,
  type PretrainedEmbeddings,
  setEmbeddingFrozen,
} from './pretrained-embeddings.js';
import { readRunState, restoreTensors } from './run-state.js';
import { deriveSeed } from './seed.js';
import { freshProgress, positionOf, type Run, runEpochs } from './step-loop.js';
import type { TrainOptions, TrainResult } from './types.js';

/** Stream tag for deriveSeed: the random rows of words the vector file lacks. */
const EMBEDDING_STREAM = 0xe3b;

/**
 * Train a classifier: split, fit the pipeline on the train split, train with Adam and
 * global-norm clipping on length-bucketed, trimmed batches, validate, keep the best bundle in
 * `outDir`, stop early, then evaluate the best bundle on the test split and write the report.
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const o = resolveTrainOptions(options);
  const backend = await initBackend({
    ...(o.backend ? { backend: o.backend } : {}),
    log: () => {},
  });
  const paths = await checkOutputs(o.outDir);
  const release = await lockDirectory(paths.bundleDir, 'model bundle');
  try {
    const { initFrom } = o.config;
    const initial = initFrom ? await loadInitialBundle(initFrom, o.dataset, o.splits) : undefined;
    try {
      if (initial) {
        o.dataset = initial.dataset;
        o.splits = initial.splits;
      }
      return await trainInto(paths, o, backend, options, initial?.bundle);
    } finally {
      initial?.bundle.model.dispose();
    }
  } finally {
    await release();
  }
}

async function trainInto(
  paths: OutputPaths,
  o: ResolvedTrainOptions,
  backend: BackendInfo,
  options: TrainOptions,
  initial: Bundle | undefined,
): Promise<TrainResult> {
  const given = o.config;
  const numClasses = o.dataset.labelNames.length;
  const splits = o.splits ?? splitDataset(o.dataset.examples, splitOptionsOf(given.split));
  checkSplits(splits, numClasses);

  const saved = o.resume ? await readRunState(paths.runDir) : undefined;
  if (!saved) await rm(paths.runDir, { recursive: true, force: true });
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
    pretrained = await loadPretrainedEmbeddings(path, pipeline, keepMissing, seed);
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
  const fingerprint = runFingerprint(config, o.dataset.labelNames, splits);
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
    paths,
    pipeline,
    modelConfig,
    fingerprint,
    data,
    model,
    optimizer: tf.train.adam(config.learningRate),
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
    if (saved) await restoreTensors(paths.runDir, model, run.optimizer);
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
function runFingerprint(
  config: RunConfig,
  labelNames: readonly string[],
  splits: DatasetSplits,
): string {
  const fixed: Partial<RunConfig> = { ...config };
  for (const field of resumableFields) delete fixed[field];
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ config: fixed, labelNames }));
  for (const name of ['train', 'validation', 'test'] as const) {
    hash.update(`\n${name}:${splits[name].length}\n`);
    for (const e of splits[name]) hash.update(`${e.label}\t${e.text}\n`);
  }
  return hash.digest('hex');
}
