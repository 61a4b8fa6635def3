import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import {
  type BackendInfo,
  createModel,
  FusedAdam,
  initBackend,
  loadBundle,
  type ModelConfig,
  saveBundle,
} from '@lstmkit/model';
import {
  type DatasetSplits,
  type Example,
  LstmkitError,
  splitDataset,
  TextPipeline,
} from '@lstmkit/preprocess';
import type * as tf from '@tensorflow/tfjs';
import {
  type EncodedSplit,
  encodeSplit,
  gatherBatch,
  paddingFraction,
  planEpoch,
} from './batching.js';
import { initialEarlyStopping, recordEvaluation } from './early-stopping.js';
import { evaluateSplit } from './evaluate.js';
import type { HistoryRow } from './history.js';
import { computeMetrics } from './metrics.js';
import { type ResolvedTrainOptions, resolveTrainOptions } from './options.js';
import { type OutputPaths, outputPaths, writeHistory, writeReport } from './outputs.js';
import { type RunProgress, readRunState, restoreTensors, saveRunState } from './run-state.js';
import { deriveSeed } from './seed.js';
import { trainStep } from './train-step.js';
import type { Metrics, TrainOptions, TrainResult } from './types.js';

/** Stream tags for deriveSeed, so shuffles and dropout never share a random sequence. */
const DROPOUT_STREAM = 0xd40;

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
  const numClasses = o.dataset.labelNames.length;
  const splits = o.splits ?? splitDataset(o.dataset.examples, o.split);
  checkSplits(splits, numClasses);
  const paths = outputPaths(o.outDir);

  const saved = o.resume ? await readRunState(paths.runDir) : undefined;
  if (!saved) await rm(paths.runDir, { recursive: true, force: true });
  const pipeline = saved
    ? TextPipeline.fromJSON(saved.pipeline)
    : TextPipeline.fit(
        splits.train.map((e) => e.text),
        o.pipeline,
        o.vocabulary,
      );
  const modelConfig: ModelConfig = { ...o.model, vocabSize: pipeline.vocabulary.size, numClasses };
  const fingerprint = runFingerprint(o, modelConfig, splits);
  if (saved && saved.fingerprint !== fingerprint) {
    throw new LstmkitError(
      'RESUME_MISMATCH',
      `The run saved in ${paths.runDir} was started with different data or options.`,
      {
        hint: 'Resume with the same dataset and options (epochs and patience may change), or start over.',
      },
    );
  }

  const data = {
    train: encodeSplit(pipeline, splits.train),
    validation: encodeSplit(pipeline, splits.validation),
    test: encodeSplit(pipeline, splits.test),
  };
  const model = createModel(modelConfig);
  const optimizer = new FusedAdam(o.learningRate);
  try {
    if (saved) await restoreTensors(paths.runDir, model, optimizer);
    return await runLoop({
      o,
      backend,
      paths,
      pipeline,
      modelConfig,
      fingerprint,
      data,
      model,
      optimizer,
      saved,
    });
  } finally {
    model.dispose();
    optimizer.dispose();
  }
}

interface LoopContext {
  o: ResolvedTrainOptions;
  backend: BackendInfo;
  paths: OutputPaths;
  pipeline: TextPipeline;
  modelConfig: ModelConfig;
  fingerprint: string;
  data: { train: EncodedSplit; validation: EncodedSplit; test: EncodedSplit };
  model: tf.LayersModel;
  optimizer: FusedAdam;
  saved: RunProgress | undefined;
}

async function runLoop(ctx: LoopContext): Promise<TrainResult> {
  const { o, paths, pipeline, modelConfig, data, model, optimizer } = ctx;
  const numClasses = modelConfig.numClasses;
  const emit = o.onEvent;
  const stepsPerEpoch = Math.ceil(data.train.count / o.batchSize);
  const progress: RunProgress = ctx.saved ?? {
    epoch: 1,
    stepInEpoch: 0,
    globalStep: 0,
    earlyStopping: initialEarlyStopping(),
    history: [],
    accumulator: { lossSum: 0, correct: 0, count: 0, batches: 0 },
    epochSeconds: [],
    trainingSeconds: 0,
    samplesTrained: 0,
  };
  const title = `${o.dataset.name}: ${o.preset} preset, ${modelConfig.arch}`;
  const training = {
    preset: o.preset,
    batchSize: o.batchSize,
    epochs: o.epochs,
    learningRate: o.learningRate,
    clipNorm: o.clipNorm,
    evalEvery: o.evalEvery,
    patience: o.patience,
    seed: o.seed,
    // evaluate (CLI) recreates the test split from this
    split: o.split,
    dataset: o.dataset.name,
  };
  const saveState = () =>
    saveRunState(
      paths.runDir,
      { ...progress, formatVersion: 1, fingerprint: ctx.fingerprint, pipeline: pipeline.toJSON() },
      model,
      optimizer,
    );

  emit({
    type: 'start',
    totalEpochs: o.epochs,
    stepsPerEpoch,
    trainSize: data.train.count,
    validationSize: data.validation.count,
    testSize: data.test.count,
    backend: ctx.backend.name,
    config: {
      preset: o.preset,
      model: modelConfig,
      pipeline: pipeline.config,
      batchSize: o.batchSize,
      learningRate: o.learningRate,
      epochs: o.epochs,
      patience: o.patience,
      seed: o.seed,
    },
  });

  /** Validate, checkpoint on improvement, record history; true when early stopping fires. */
  const evaluation = async (epoch: number): Promise<boolean> => {
    const validation = evaluateSplit(model, data.validation, numClasses);
    const acc = progress.accumulator;
    const trainMetrics = { loss: acc.lossSum / acc.batches, accuracy: acc.correct / acc.count };
    progress.accumulator = { lossSum: 0, correct: 0, count: 0, batches: 0 };
    const at = { epoch, step: progress.globalStep };
    const outcome = recordEvaluation(progress.earlyStopping, validation.loss, at, o.patience);
    progress.earlyStopping = outcome.state;
    const row: HistoryRow = {
      ...at,
      epochs: progress.globalStep / stepsPerEpoch,
      train: trainMetrics,
      validation,
      improved: outcome.improved,
      seconds: progress.trainingSeconds,
    };
    progress.history.push(row);
    emit({
      type: 'evaluation',
      ...at,
      train: trainMetrics,
      validation,
      improved: outcome.improved,
    });
    if (outcome.improved) {
      await saveBundle(paths.bundleDir, {
        model,
        pipeline,
        labelNames: o.dataset.labelNames,
        modelConfig,
        training: { ...training, epoch, step: progress.globalStep },
        metrics: { validation },
      });
      emit({ type: 'checkpoint', ...at, dir: paths.bundleDir, validationLoss: validation.loss });
    }
    await writeHistory(paths, progress.history, title);
    return outcome.stop;
  };

  let interrupted = false;
  let stoppedEarly = false;
  let epochsRun = progress.epoch - 1;
  while (progress.epoch <= o.epochs && !interrupted && !stoppedEarly) {
    const epoch = progress.epoch;
    const plan = planEpoch(data.train, o.batchSize, o.seed, epoch);
    const epochStarted = performance.now();
    let lastTick = epochStarted;
    epochsRun = epoch;
    while (progress.stepInEpoch < stepsPerEpoch) {
      if (o.signal?.aborted) {
        interrupted = true;
        break;
      }
      const step = progress.stepInEpoch;
      const batch = gatherBatch(data.train, plan[step]!);
      const result = trainStep(
        model,
        optimizer,
        batch,
        numClasses,
        o.clipNorm,
        deriveSeed(o.seed, DROPOUT_STREAM, epoch, step),
      );
      progress.stepInEpoch++;
      progress.globalStep++;
      const acc = progress.accumulator;
      acc.lossSum += result.loss;
      acc.correct += result.correct;
      acc.count += batch.size;
      acc.batches++;
      progress.samplesTrained += batch.size;
      const now = performance.now();
      progress.trainingSeconds += (now - lastTick) / 1000;
      emit({
        type: 'step',
        epoch,
        step: progress.stepInEpoch,
        stepsPerEpoch,
        loss: result.loss,
        samplesPerSecond: batch.size / Math.max(1e-9, (now - lastTick) / 1000),
      });
      lastTick = now;
      if (
        o.evalEvery > 0 &&
        progress.globalStep % o.evalEvery === 0 &&
        progress.stepInEpoch < stepsPerEpoch
      ) {
        stoppedEarly = await evaluation(epoch);
        await saveState();
        if (stoppedEarly) break;
      }
      // Let timers and signal handlers (Ctrl-C) run between the synchronous steps.
      await new Promise<void>((resolve) => setImmediate(resolve));
      lastTick = performance.now();
    }
    if (interrupted) {
      await saveState();
      break;
    }
    if (!stoppedEarly) stoppedEarly = await evaluation(epoch);
    const seconds = (performance.now() - epochStarted) / 1000;
    progress.epochSeconds.push(seconds);
    progress.epoch++;
    progress.stepInEpoch = 0;
    emit({ type: 'epoch', epoch, seconds });
    if (stoppedEarly) {
      emit({ type: 'early-stop', epoch, bestEpoch: progress.earlyStopping.bestEpoch });
    } else {
      await saveState();
    }
  }

  const bestRow = progress.history.filter((r) => r.improved).at(-1);
  const secondsPerEpoch = mean(progress.epochSeconds);
  const report = (status: string, validation: Metrics, test: Metrics) => ({
    formatVersion: 1,
    status,
    dataset: {
      name: o.dataset.name,
      labelNames: o.dataset.labelNames,
      sizes: { train: data.train.count, validation: data.validation.count, test: data.test.count },
      skipped: o.dataset.skipped?.length ?? 0,
    },
    config: {
      ...training,
      pipeline: pipeline.config,
      vocabulary: o.vocabulary,
      model: modelConfig,
    },
    vocabularySize: pipeline.vocabulary.size,
    backend: ctx.backend,
    best: { epoch: progress.earlyStopping.bestEpoch, step: progress.earlyStopping.bestStep },
    epochsRun,
    stoppedEarly,
    metrics: { validation, test },
    timings: {
      secondsPerEpoch,
      epochSeconds: progress.epochSeconds,
      trainingSeconds: progress.trainingSeconds,
      trainSentencesPerSecond: progress.samplesTrained / Math.max(1e-9, progress.trainingSeconds),
    },
    padding: paddingFraction(data.train, planEpoch(data.train, o.batchSize, o.seed, 1)),
  });
  const result = (validation: Metrics, test: Metrics): TrainResult => ({
    bundleDir: paths.bundleDir,
    reportPath: paths.reportPath,
    historyPath: paths.historyPath,
    plotPath: paths.plotPath,
    bestEpoch: progress.earlyStopping.bestEpoch,
    epochsRun,
    stoppedEarly,
    interrupted,
    validation,
    test,
    secondsPerEpoch,
  });

  if (interrupted) {
    const validation = bestRow?.validation ?? computeMetrics([], [], numClasses);
    const notEvaluated = computeMetrics([], [], numClasses);
    await writeReport(paths, report('interrupted', validation, notEvaluated));
    const final = result(validation, notEvaluated);
    emit({ type: 'end', result: final });
    return final;
  }
  if (!bestRow) {
    throw new LstmkitError(
      'TRAINING_DIVERGED',
      'Validation loss was never finite, so no checkpoint was saved.',
      {
        hint: 'Lower the learning rate or check the labels.',
      },
    );
  }

  // Restore the best weights the way a user would: from the saved bundle.
  const best = await loadBundle(paths.bundleDir);
  let validation: Metrics;
  let test: Metrics;
  try {
    validation = evaluateSplit(best.model, data.validation, numClasses);
    test = evaluateSplit(best.model, data.test, numClasses);
    await saveBundle(paths.bundleDir, {
      model: best.model,
      pipeline: best.pipeline,
      labelNames: best.labelNames,
      modelConfig: best.modelConfig,
      training: { ...training, epoch: bestRow.epoch, step: bestRow.step, epochsRun, stoppedEarly },
      metrics: { validation, test },
    });
  } finally {
    best.model.dispose();
  }
  await writeReport(paths, report('complete', validation, test));
  await rm(paths.runDir, { recursive: true, force: true });
  const final = result(validation, test);
  emit({ type: 'end', result: final });
  return final;
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

/** Epochs and patience may change on resume; anything else changes the run. */
function runFingerprint(
  o: ResolvedTrainOptions,
  modelConfig: ModelConfig,
  splits: DatasetSplits,
): string {
  const hash = createHash('sha256');
  hash.update(
    JSON.stringify({
      pipeline: o.pipeline,
      vocabulary: o.vocabulary,
      modelConfig,
      batchSize: o.batchSize,
      learningRate: o.learningRate,
      clipNorm: o.clipNorm,
      evalEvery: o.evalEvery,
      seed: o.seed,
      labelNames: o.dataset.labelNames,
    }),
  );
  for (const name of ['train', 'validation', 'test'] as const) {
    hash.update(`\n${name}:${splits[name].length}\n`);
    for (const e of splits[name]) hash.update(`${e.label}\t${e.text}\n`);
  }
  return hash.digest('hex');
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}
