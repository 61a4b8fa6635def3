import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import {
  type BackendInfo,
  createModel,
  FusedAdam,
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
import { encodeSplit } from './batching.js';
import { type RunConfig, resumableFields, splitOptionsOf } from './config.js';
import { finishRun } from './finish-run.js';
import { type ResolvedTrainOptions, resolveTrainOptions } from './options.js';
import { checkOutputs, type OutputPaths } from './outputs.js';
import { readRunState, restoreTensors } from './run-state.js';
import { freshProgress, positionOf, type Run, runEpochs } from './step-loop.js';
import type { TrainOptions, TrainResult } from './types.js';

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
    return await trainInto(paths, o, backend);
  } finally {
    await release();
  }
}

async function trainInto(
  paths: OutputPaths,
  o: ResolvedTrainOptions,
  backend: BackendInfo,
): Promise<TrainResult> {
  const { config } = o;
  const numClasses = o.dataset.labelNames.length;
  const splits = o.splits ?? splitDataset(o.dataset.examples, splitOptionsOf(config.split));
  checkSplits(splits, numClasses);

  const saved = o.resume ? await readRunState(paths.runDir) : undefined;
  if (!saved) await rm(paths.runDir, { recursive: true, force: true });
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

  const data = {
    train: encodeSplit(pipeline, splits.train),
    validation: encodeSplit(pipeline, splits.validation),
    test: encodeSplit(pipeline, splits.test),
  };
  const stepsPerEpoch = Math.ceil(data.train.count / config.batchSize);
  const model = createModel(modelConfig);
  const optimizer = new FusedAdam(config.learningRate);
  try {
    if (saved) await restoreTensors(paths.runDir, model, optimizer);
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
