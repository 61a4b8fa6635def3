import { type InferenceModel, inferenceModel } from '@lstmkit/model';
import { LstmkitError } from '@lstmkit/preprocess';
import { evaluateSplit, splitProbabilities } from './evaluate.js';
import { computeMetrics } from './metrics.js';
import { passReporter } from './pass-events.js';
import { type LoopOutcome, positionOf, type Run } from './step-loop.js';
import { selectThreshold, type ThresholdChoice } from './threshold.js';
import type { Metrics, TrainResult } from './types.js';

/**
 * After the loop: an interrupted run reports what it has; a finished one restores the best
 * bundle the way a user would (from its store), scores it on validation and test, rewrites it with
 * those metrics, writes the report and removes the run state.
 */
export async function finishRun(run: Run, outcome: LoopOutcome): Promise<TrainResult> {
  const { progress, store, data } = run;
  const numClasses = run.modelConfig.numClasses;
  const bestRow = progress.history.filter((r) => r.improved).at(-1);
  const { threshold: given, thresholdMetric } = run.config;
  // A given threshold other than 0.5 is stored; 'auto' is chosen once the best weights are back.
  let threshold = typeof given === 'number' && given !== 0.5 ? given : undefined;
  let choice: ThresholdChoice | undefined;
  const end = async (status: 'interrupted' | 'complete', validation: Metrics, test: Metrics) => {
    await store.writeReport(await report(run, outcome, status, validation, test, choice));
    // A complete run needs no state to resume from.
    if (status === 'complete') await store.clearRunState();
    const result = resultOf(run, outcome, validation, test, threshold);
    run.o.onEvent({ type: 'end', result });
    return result;
  };

  if (outcome.interrupted) {
    const notEvaluated = computeMetrics([], [], numClasses);
    return end('interrupted', bestRow?.validation ?? notEvaluated, notEvaluated);
  }
  if (!bestRow) {
    throw new LstmkitError(
      'TRAINING_DIVERGED',
      'Validation loss was never finite, so no checkpoint was saved.',
      { hint: 'Lower the learning rate or check the labels.' },
    );
  }

  const best = await store.loadBundle();
  let validation: Metrics;
  let test: Metrics;
  try {
    const inference = inferenceModel(best.model, best.modelConfig);
    if (given === 'auto' && numClasses === 2) {
      const scores = splitProbabilities(inference, data.validation).map((p) => p[1]!);
      choice = selectThreshold(data.validation.labels, scores, thresholdMetric);
      threshold = choice.threshold;
    }
    validation = evaluateSplit(inference, data.validation, numClasses, { threshold });
    test = await scoreTest(run, inference, threshold);
    await store.saveBundle({
      model: best.model,
      pipeline: best.pipeline,
      labelNames: best.labelNames,
      modelConfig: best.modelConfig,
      ...(threshold !== undefined && { threshold }),
      training: {
        ...run.record,
        epoch: bestRow.epoch,
        step: bestRow.step,
        epochsRun: outcome.epochsRun,
        stoppedEarly: outcome.stoppedEarly,
      },
      metrics: { validation, test },
    });
  } finally {
    best.model.dispose();
  }
  return end('complete', validation, test);
}

async function report(
  run: Run,
  outcome: LoopOutcome,
  status: string,
  validation: Metrics,
  test: Metrics,
  threshold: ThresholdChoice | undefined,
): Promise<Record<string, unknown>> {
  const { config, data, progress } = run;
  const manifest = run.prepared.manifest;
  return {
    formatVersion: 1,
    status,
    dataset: {
      name: run.datasetName,
      labelNames: run.labelNames,
      sizes: { train: data.train.rows, validation: data.validation.count, test: data.test.rows },
      records: manifest.records,
      skipped: manifest.skipped,
      validationToTrain: manifest.validationToTrain,
      vocabularyPruned: manifest.pruned,
      encodedIn: run.store.data.dir,
      cached: run.prepared.previous?.manifest.encodeKey === run.prepared.encodeKey,
    },
    config,
    vocabularySize: run.pipeline.vocabulary.size,
    backend: run.backend,
    best: { epoch: progress.earlyStopping.bestEpoch, step: progress.earlyStopping.bestStep },
    epochsRun: outcome.epochsRun,
    stoppedEarly: outcome.stoppedEarly,
    metrics: { validation, test },
    timings: {
      secondsPerEpoch: mean(progress.epochSeconds),
      epochSeconds: progress.epochSeconds,
      trainingSeconds: progress.trainingSeconds,
      trainSentencesPerSecond: progress.samplesTrained / Math.max(1e-9, progress.trainingSeconds),
    },
    padding: await data.train.padding(),
    lengths: run.lengths,
    learningRates: progress.learningRates,
    ...(progress.embeddings && { embeddings: progress.embeddings }),
    ...(threshold && { threshold }),
  };
}

function resultOf(
  run: Run,
  outcome: LoopOutcome,
  validation: Metrics,
  test: Metrics,
  threshold: number | undefined,
): TrainResult {
  const { paths, progress } = run;
  return {
    bundleDir: paths.bundleDir,
    labelNames: run.labelNames,
    reportPath: paths.reportPath,
    historyPath: paths.historyPath,
    plotPath: paths.plotPath,
    bestEpoch: progress.earlyStopping.bestEpoch,
    epochsRun: outcome.epochsRun,
    stoppedEarly: outcome.stoppedEarly,
    interrupted: outcome.interrupted,
    stoppedAt: positionOf(progress, run.stepsPerEpoch),
    validation,
    test,
    ...(threshold !== undefined && { threshold }),
    secondsPerEpoch: mean(progress.epochSeconds),
  };
}

/** The best model on the test split, shard by shard: memory stays bounded whatever its size. */
async function scoreTest(
  run: Run,
  model: InferenceModel,
  threshold: number | undefined,
): Promise<Metrics> {
  const { test, reader } = run.data;
  const pass = passReporter(run.o.onEvent, 'test', 'rows', test.rows);
  const labels: number[] = [];
  const probabilities: number[][] = [];
  for await (const shard of reader.eachShard(test)) {
    const before = labels.length;
    const scores = splitProbabilities(model, shard, (done) => pass.progress(before + done));
    for (let r = 0; r < shard.count; r++) {
      labels.push(shard.labels[r]!);
      probabilities.push(scores[r]!);
    }
  }
  pass.finish(labels.length);
  return computeMetrics(labels, probabilities, run.modelConfig.numClasses, {
    rocCurve: true,
    threshold,
  });
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}
