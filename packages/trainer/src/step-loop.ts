import {
  type BackendInfo,
  FusedAdam,
  FusedTrainer,
  inferenceModel,
  type ModelConfig,
} from '@lstmkit/model';
import type { TextPipeline } from '@lstmkit/preprocess';
import type * as tf from '@tensorflow/tfjs';
import type { EncodedSplit } from './batching.js';
import { embeddingFrozenIn, type RunConfig } from './config.js';
import type { ShardedSplit } from './data-store.js';
import { initialEarlyStopping, recordEvaluation } from './early-stopping.js';
import { evaluateSplit } from './evaluate.js';
import type { HistoryRow } from './history.js';
import {
  initialLrState,
  learningRateAt,
  recordLearningRate,
  recordValidationLoss,
} from './lr-schedule.js';
import type { ResolvedTrainOptions } from './options.js';
import type { OutputPaths } from './outputs.js';
import { passReporter } from './pass-events.js';
import type { PreparedData } from './prepare-data.js';
import { setEmbeddingFrozen } from './pretrained-embeddings.js';
import type { RunProgress } from './run-state.js';
import type { RunStore } from './run-store.js';
import { deriveSeed } from './seed.js';
import type { ShardReader, TrainBatches } from './sharded-data.js';
import type { TokenLengths } from './train.js';
import { setLearningRate, trainStep } from './train-step.js';
import type { RunPosition, TrainingRecord } from './types.js';

/** Stream tags for deriveSeed, so shuffles and dropout never share a random sequence. */
const DROPOUT_STREAM = 0xd40;

/** One training run: what it trains, with what, where it writes, and how far it got. */
export interface Run {
  o: ResolvedTrainOptions;
  config: RunConfig;
  backend: BackendInfo;
  /** Where the run keeps its bundle, history, report and state (files or memory). */
  store: RunStore;
  paths: OutputPaths;
  labelNames: string[];
  datasetName: string;
  /** The encoded data: its manifest says what each split holds. */
  prepared: PreparedData;
  /** The training split's token lengths, for the report. */
  lengths: TokenLengths;
  pipeline: TextPipeline;
  modelConfig: ModelConfig;
  fingerprint: string;
  /** Train in windows of shards, validation in memory (bounded), test shard by shard. */
  data: { train: TrainBatches; validation: EncodedSplit; test: ShardedSplit; reader: ShardReader };
  model: tf.LayersModel;
  /** Replaced when the embedding unfreezes (a fresh Adam, as Keras' recompile). */
  optimizer: FusedAdam;
  stepsPerEpoch: number;
  progress: RunProgress;
  /** The bundle's `training` record without its checkpoint fields. */
  record: Omit<TrainingRecord, 'epoch' | 'step'>;
}

export interface LoopOutcome {
  interrupted: boolean;
  stoppedEarly: boolean;
  epochsRun: number;
}

export function freshProgress(config: RunConfig, stepsPerEpoch: number): RunProgress {
  return {
    epoch: 1,
    stepInEpoch: 0,
    globalStep: 0,
    earlyStopping: initialEarlyStopping(),
    history: [],
    accumulator: { lossSum: 0, correct: 0, count: 0, batches: 0 },
    epochSeconds: [],
    trainingSeconds: 0,
    samplesTrained: 0,
    lrSchedule: initialLrState(config.learningRate, config.epochs * stepsPerEpoch),
    learningRates: [],
    embeddingFrozen: embeddingFrozenIn(config, 1),
  };
}

/** The last step trained: an epoch boundary counts as the end of the epoch before it. */
export function positionOf(progress: RunProgress, stepsPerEpoch: number): RunPosition {
  const atBoundary = progress.stepInEpoch === 0 && progress.globalStep > 0;
  return {
    epoch: atBoundary ? progress.epoch - 1 : progress.epoch,
    step: atBoundary ? stepsPerEpoch : progress.stepInEpoch,
    stepsPerEpoch,
    globalStep: progress.globalStep,
  };
}

function saveState(run: Run): Promise<void> {
  return run.store.saveRunState(
    {
      ...run.progress,
      formatVersion: 2,
      fingerprint: run.fingerprint,
      pipeline: run.pipeline.toJSON(),
    },
    run.model,
    run.optimizer,
  );
}

/**
 * Whether steps run as one fused call (FusedTrainer) when the model allows it: yes unless
 * LSTMKIT_FUSED_STEP=0 asks for the tfjs step (same results within float rounding; for A/B runs).
 */
function fusedStepWanted(): boolean {
  return (
    (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env
      .LSTMKIT_FUSED_STEP !== '0'
  );
}

/** The epochs and their steps, up to the last epoch, an early stop or the signal. */
export async function runEpochs(run: Run): Promise<LoopOutcome> {
  const fused =
    fusedStepWanted() && FusedTrainer.supports(run.modelConfig)
      ? new FusedTrainer(run.model, run.modelConfig, run.optimizer)
      : undefined;
  try {
    return await runEpochsWith(run, fused);
  } finally {
    fused?.dispose();
  }
}

/**
 * The loop; with `fused`, the weights and Adam's state live in the fused trainer between steps,
 * so they are stored back into the model and optimizer before anything reads them.
 */
async function runEpochsWith(run: Run, fused: FusedTrainer | undefined): Promise<LoopOutcome> {
  const { o, config, data, model, progress, stepsPerEpoch } = run;
  fused?.load(run.optimizer);
  const syncBack = () => fused?.store(run.optimizer);
  const numClasses = run.modelConfig.numClasses;
  let interrupted = false;
  let stoppedEarly = false;
  let epochsRun = progress.epoch - 1;
  while (progress.epoch <= config.epochs && !interrupted && !stoppedEarly) {
    const epoch = progress.epoch;
    const frozen = embeddingFrozenIn(config, epoch);
    if (frozen !== progress.embeddingFrozen) {
      // Adam keeps its moments by variable position: a changed variable list needs a fresh one.
      setEmbeddingFrozen(model, frozen);
      run.optimizer.dispose();
      run.optimizer = new FusedAdam(config.learningRate);
      progress.embeddingFrozen = frozen;
      fused?.load(run.optimizer);
    }
    const epochStarted = performance.now();
    let lastTick = epochStarted;
    let epochSamples = 0;
    let epochTrainingSeconds = 0;
    epochsRun = epoch;
    while (progress.stepInEpoch < stepsPerEpoch) {
      if (o.signal?.aborted) {
        interrupted = true;
        break;
      }
      const step = progress.stepInEpoch;
      const batch = await data.train.batch(epoch, step);
      const learningRate = learningRateAt(
        config.lrSchedule,
        progress.lrSchedule,
        progress.globalStep,
      );
      setLearningRate(run.optimizer, learningRate);
      recordLearningRate(progress.learningRates, progress.globalStep, learningRate);
      const dropoutSeed = deriveSeed(config.seed, DROPOUT_STREAM, epoch, step);
      const result = fused
        ? fused.step(batch, {
            learningRate,
            clipNorm: config.clipNorm,
            dropoutSeed,
            weightDecay: config.weightDecay,
          })
        : trainStep(
            model,
            run.optimizer,
            batch,
            numClasses,
            config.clipNorm,
            dropoutSeed,
            config.weightDecay,
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
      epochSamples += batch.size;
      epochTrainingSeconds += (now - lastTick) / 1000;
      o.onEvent({
        type: 'step',
        epoch,
        step: progress.stepInEpoch,
        stepsPerEpoch,
        loss: result.loss,
        learningRate,
        samplesPerSecond: epochSamples / Math.max(1e-9, epochTrainingSeconds),
      });
      if (
        config.evalEvery > 0 &&
        progress.globalStep % config.evalEvery === 0 &&
        progress.stepInEpoch < stepsPerEpoch
      ) {
        syncBack();
        stoppedEarly = await evaluateAndCheckpoint(run, epoch);
        await saveState(run);
        if (stoppedEarly) break;
      }
      // Let timers and signal handlers (Ctrl-C) run between the synchronous steps.
      await yieldToEventLoop();
      lastTick = performance.now();
    }
    syncBack();
    if (interrupted) {
      await saveState(run);
      break;
    }
    if (!stoppedEarly) stoppedEarly = await evaluateAndCheckpoint(run, epoch);
    const seconds = (performance.now() - epochStarted) / 1000;
    progress.epochSeconds.push(seconds);
    progress.epoch++;
    progress.stepInEpoch = 0;
    o.onEvent({ type: 'epoch', epoch, seconds });
    if (stoppedEarly) {
      o.onEvent({ type: 'early-stop', epoch, bestEpoch: progress.earlyStopping.bestEpoch });
    } else {
      await saveState(run);
    }
  }
  return { interrupted, stoppedEarly, epochsRun };
}

/** Validate, checkpoint on improvement, record history; true when early stopping fires. */
async function evaluateAndCheckpoint(run: Run, epoch: number): Promise<boolean> {
  const { o, config, progress, paths } = run;
  const rows = run.data.validation.count;
  const pass = passReporter(o.onEvent, 'validation', 'rows', rows);
  const { model, modelConfig } = run;
  const validation = evaluateSplit(
    inferenceModel(model, modelConfig),
    run.data.validation,
    modelConfig.numClasses,
    { onProgress: (done) => pass.progress(done) },
  );
  pass.finish(rows);
  const acc = progress.accumulator;
  const trainMetrics = { loss: acc.lossSum / acc.batches, accuracy: acc.correct / acc.count };
  progress.accumulator = { lossSum: 0, correct: 0, count: 0, batches: 0 };
  const at = { epoch, step: progress.globalStep };
  const outcome = recordEvaluation(progress.earlyStopping, validation.loss, at, config.patience);
  progress.earlyStopping = outcome.state;
  progress.lrSchedule = recordValidationLoss(
    config.lrSchedule,
    progress.lrSchedule,
    validation.loss,
  );
  const row: HistoryRow = {
    ...at,
    epochs: progress.globalStep / run.stepsPerEpoch,
    train: trainMetrics,
    validation,
    improved: outcome.improved,
    seconds: progress.trainingSeconds,
    learningRate: progress.learningRates.at(-1)?.[1] ?? config.learningRate,
  };
  progress.history.push(row);
  o.onEvent({
    type: 'evaluation',
    ...at,
    train: trainMetrics,
    validation,
    improved: outcome.improved,
  });
  if (outcome.improved) {
    await run.store.saveBundle({
      model: run.model,
      pipeline: run.pipeline,
      labelNames: run.labelNames,
      modelConfig: run.modelConfig,
      training: { ...run.record, ...at },
      metrics: { validation },
    });
    o.onEvent({ type: 'checkpoint', ...at, dir: paths.bundleDir, validationLoss: validation.loss });
  }
  await run.store.writeHistory(progress.history, runTitle(run), {
    series: progress.learningRates,
    stepsPerEpoch: run.stepsPerEpoch,
    steps: progress.globalStep,
  });
  return outcome.stop;
}

export function runTitle(run: Run): string {
  return `${run.datasetName}: ${run.config.preset} preset, ${run.modelConfig.arch}`;
}

/** Lets timers and signal handlers (Ctrl-C, a worker's stop message) run between steps. */
function yieldToEventLoop(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  // Browsers and workers: a message task, without setTimeout's 4 ms clamp.
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(0);
  });
}
