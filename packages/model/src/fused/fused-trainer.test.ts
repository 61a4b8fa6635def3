import { createRng } from '@lstmkit/preprocess';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { leftPaddedIds, smallConfig } from '../__fixtures__/fused-models';
import { testKernels } from '../__fixtures__/kernels';
import { maxRelativeDiff } from '../__fixtures__/tensor-compare';
import { initBackend } from '../backend';
import { createModel } from '../create-model';
import type { ModelConfig } from '../model-config';
import { FusedAdam } from './fused-adam';
import { type FusedBatch, FusedTrainer } from './fused-trainer';

const VOCAB = 40;
const config = (overrides: Partial<ModelConfig>) => smallConfig({ vocabSize: VOCAB, ...overrides });

/** Rows of different lengths, left-padded (one all-padding row), as the trainer's batches. */
function batch(seed: number, size: number, columns: number, numClasses: number): FusedBatch {
  const rng = createRng(seed);
  const ids = leftPaddedIds(rng, size, columns, VOCAB, 2);
  const labels = Int32Array.from({ length: size }, () => Math.floor(rng() * numClasses));
  const weights = Float32Array.from({ length: size }, () => 0.5 + rng());
  return { ids, size, columns, labels, weights };
}

/** The tfjs step the trainer runs without the fused trainer: layers, tfjs gradients, FusedAdam. */
function tfjsStep(
  model: tf.LayersModel,
  optimizer: FusedAdam,
  b: FusedBatch,
  numClasses: number,
  clipNorm: number,
  learningRate: number,
  weightDecay: number,
): { loss: number; norm: number } {
  (optimizer as unknown as { learningRate: number }).learningRate = learningRate;
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  return tf.tidy(() => {
    const x = tf.tensor2d(b.ids, [b.size, b.columns], 'int32');
    const { value, grads } = tf.variableGrads(() => {
      const p = tf.clipByValue(model.apply(x, { training: true }) as tf.Tensor, 1e-7, 1 - 1e-7);
      const y =
        numClasses === 2
          ? tf.tensor2d(Array.from(b.labels), [b.size, 1])
          : tf.oneHot(tf.tensor1d(Array.from(b.labels), 'int32'), numClasses).toFloat();
      const ll =
        numClasses === 2
          ? tf.add(tf.mul(y, tf.log(p)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p))))
          : tf.sum(tf.mul(y, tf.log(p)), 1);
      return tf.neg(
        tf.mean(tf.mul(ll.reshape([-1]), tf.tensor1d(Array.from(b.weights!)))),
      ) as tf.Scalar;
    }, variables);
    if (weightDecay > 0) {
      for (const v of variables) v.assign(tf.mul(v, 1 - learningRate * weightDecay));
    }
    const norm = optimizer.applyClippedGradients(
      variables.map((v) => ({ name: v.name, tensor: grads[v.name]! })),
      clipNorm,
    );
    return { loss: value.dataSync()[0]!, norm };
  });
}

const CASES: [string, Partial<ModelConfig>][] = [
  ['LSTM x2, last step', { layers: 2 }],
  ['BiLSTM, pooling', { arch: 'bilstm', head: 'pool' }],
  ['BiLSTM x2, last step, 3 classes', { arch: 'bilstm', layers: 2, numClasses: 3 }],
  ['LSTM, pooling, 4 classes, hidden 9', { head: 'pool', numClasses: 4, hiddenSize: 9 }],
];

describe.each(testKernels)('FusedTrainer on the %s kernel', (kernel) => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', kernel, log: () => {} });
  });

  it.each(CASES)('%s: steps match the tfjs step (weights, loss, norm, Adam state)', (_, o) => {
    const c = config(o);
    const fusedModel = createModel(c);
    const stockModel = createModel(c);
    const fusedOptimizer = new FusedAdam(0.01);
    const stockOptimizer = new FusedAdam(0.01);
    const trainer = new FusedTrainer(fusedModel, c, fusedOptimizer);
    onTestFinished(() => trainer.dispose());
    trainer.load(fusedOptimizer);
    let before = 0;
    // Step 1 clips (norm ~1 > 0.05), step 2 does not; step 3 adds weight decay.
    const steps = [
      { clipNorm: 0.05, learningRate: 0.01, weightDecay: 0 },
      { clipNorm: 100, learningRate: 0.02, weightDecay: 0 },
      { clipNorm: 5, learningRate: 0.01, weightDecay: 0.1 },
    ];
    steps.forEach((s, i) => {
      const b = batch(10 + i, 6, 7, c.numClasses);
      const fused = trainer.step(b, { ...s, dropoutSeed: i });
      const stock = tfjsStep(
        stockModel,
        stockOptimizer,
        b,
        c.numClasses,
        s.clipNorm,
        s.learningRate,
        s.weightDecay,
      );
      expect(fused.loss).toBeCloseTo(stock.loss, 5);
      expect(Math.abs(fused.gradientNorm - stock.norm) / stock.norm).toBeLessThan(1e-4);
      // The stock optimizer makes its moment variables at its first step.
      if (i === 0) before = tf.memory().numTensors;
    });
    expect(tf.memory().numTensors).toBe(before);
    trainer.store(fusedOptimizer);
    const [a, b] = [fusedModel.getWeights(), stockModel.getWeights()];
    a.forEach((w, i) => {
      expect(maxRelativeDiff(w, b[i]!)).toBeLessThan(1e-4);
    });
    const variables = (m: tf.LayersModel) => m.trainableWeights.map((w) => w.read() as tf.Variable);
    const fusedState = fusedOptimizer.state(variables(fusedModel));
    const stockState = stockOptimizer.state(variables(stockModel));
    expect(fusedState.iterations).toBe(3);
    expect(fusedState.powers).toEqual(stockState.powers);
    fusedState.v.forEach((v, i) => {
      const scale = Math.max(...stockState.v[i]!.map(Math.abs), 1e-12);
      v.forEach((x, j) => {
        expect(Math.abs(x - stockState.v[i]![j]!) / scale).toBeLessThan(1e-3);
      });
    });
    fusedModel.dispose();
    stockModel.dispose();
  });

  it('trains with dropout reproducibly, a frozen embedding stays, and store/load resumes exactly', () => {
    const c = config({ arch: 'bilstm', layers: 2, head: 'pool', dropout: 0.5 });
    const run = (stopAt: number) => {
      const model = createModel(c);
      let optimizer = new FusedAdam(0.01);
      let trainer = new FusedTrainer(model, c, optimizer);
      trainer.load(optimizer);
      const losses: number[] = [];
      for (let i = 0; i < 4; i++) {
        if (i === stopAt) {
          // As a resumed run: state out of the trainer, a new trainer and optimizer take it in.
          trainer.store(optimizer);
          const saved = optimizer.state(model.trainableWeights.map((w) => w.read() as tf.Variable));
          trainer.dispose();
          optimizer = new FusedAdam(0.01);
          optimizer.setState(
            model.trainableWeights.map((w) => w.read() as tf.Variable),
            saved,
          );
          trainer = new FusedTrainer(model, c, optimizer);
          trainer.load(optimizer);
        }
        const b = batch(20 + i, 5, 6, 2);
        losses.push(trainer.step(b, { learningRate: 0.01, clipNorm: 5, dropoutSeed: i }).loss);
      }
      trainer.store(optimizer);
      trainer.dispose();
      const weights = model.getWeights().map((w) => Array.from(w.dataSync()));
      model.dispose();
      return { losses, weights };
    };
    const straight = run(-1);
    expect(run(2)).toEqual(straight);
    // Dropout acts: the same steps without it give other losses.
    const c0 = { ...c, dropout: 0 };
    const model = createModel(c0);
    const optimizer = new FusedAdam(0.01);
    model.getLayer('embedding').trainable = false;
    const table = Array.from(model.getLayer('embedding').getWeights()[0]!.dataSync());
    expect(FusedTrainer.supports(c0)).toBe(true);
    const trainer = new FusedTrainer(model, c0, optimizer);
    onTestFinished(() => trainer.dispose());
    // One per thread: another run at the same time takes the tfjs step.
    expect(FusedTrainer.supports(c0)).toBe(false);
    expect(() => new FusedTrainer(model, c0, optimizer)).toThrow(/held by another/);
    expect(FusedTrainer.supports({ ...c0, recurrentDropout: 0.1 })).toBe(false);
    trainer.load(optimizer);
    const loss = trainer.step(batch(20, 5, 6, 2), {
      learningRate: 0.01,
      clipNorm: 5,
      dropoutSeed: 0,
    });
    expect(loss.loss).not.toBeCloseTo(straight.losses[0]!, 6);
    trainer.store(optimizer);
    expect(Array.from(model.getLayer('embedding').getWeights()[0]!.dataSync())).toEqual(table);
    expect(
      optimizer.state(model.trainableWeights.map((w) => w.read() as tf.Variable)).m,
    ).toHaveLength(model.trainableWeights.length);
    model.dispose();
  });
});
