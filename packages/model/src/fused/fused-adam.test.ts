import { createRng } from '@lstmkit/preprocess';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { testKernels } from '../__fixtures__/kernels';
import { maxRelativeDiff, randomTensor } from '../__fixtures__/tensor-compare';
import { initBackend } from '../backend';
import { FusedAdam } from './fused-adam';

type NamedTensor = { name: string; tensor: tf.Tensor };

// Sizes not multiples of 4: exercises the padding between variables in the kernel's areas.
const SHAPES = [[7, 5], [3], [2, 3, 3]];

function variables(seed: number): tf.Variable[] {
  const rng = createRng(seed);
  return SHAPES.map((shape) => tf.variable(randomTensor(shape, rng)));
}

function gradients(vars: tf.Variable[], step: number, scale: number): NamedTensor[] {
  const rng = createRng(100 + step);
  return vars.map((v) => ({ name: v.name, tensor: randomTensor(v.shape, rng, scale) }));
}

/** The stock path: tfjs ops for the global norm and clipping, then tfjs's Adam. */
function stockStep(optimizer: tf.Optimizer, grads: NamedTensor[], clipNorm: number): number {
  return tf.tidy(() => {
    const norm = tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g.tensor)))));
    const scale = tf.div(clipNorm, tf.maximum(norm, clipNorm));
    optimizer.applyGradients(grads.map((g) => ({ name: g.name, tensor: tf.mul(g.tensor, scale) })));
    return norm.dataSync()[0]!;
  });
}

describe.each(testKernels)('FusedAdam on the %s kernel', (kernel) => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', kernel, log: () => {} });
  });

  it('matches tfjs Adam with clipping by global norm, step by step', () => {
    const fusedVars = variables(1);
    const stockVars = variables(1);
    const fused = new FusedAdam(0.01);
    const stock = tf.train.adam(0.01);
    // Gradient scale 2 gives norms ~7: clipping at 3 engages; clipNorm 100 leaves them alone.
    for (let step = 0; step < 6; step++) {
      const clipNorm = step % 2 === 0 ? 3 : 100;
      const a = gradients(fusedVars, step, 2);
      const b = a.map((g, i) => ({ name: stockVars[i]!.name, tensor: g.tensor }));
      const fusedNorm = fused.applyClippedGradients(a, clipNorm);
      const stockNorm = stockStep(stock, b, clipNorm);
      expect(Math.abs(fusedNorm - stockNorm) / stockNorm).toBeLessThan(1e-6);
      tf.dispose(a.map((g) => g.tensor));
    }
    fusedVars.forEach((v, i) => {
      expect(maxRelativeDiff(v, stockVars[i]!)).toBeLessThan(1e-5);
    });
    tf.dispose([...fusedVars, ...stockVars]);
    fused.dispose();
    stock.dispose();
  });

  it("saves and restores in tfjs Adam's format, interchangeably with the stock optimizer", async () => {
    const vars = variables(2);
    const fused = new FusedAdam(0.01);
    for (let step = 0; step < 3; step++) {
      const grads = gradients(vars, step, 1);
      fused.applyGradients(grads);
      tf.dispose(grads.map((g) => g.tensor));
    }
    const saved = await fused.getWeights();
    expect(saved.map((w) => w.name)).toEqual([
      'iter',
      ...vars.map((v) => `${v.name}/m`),
      ...vars.map((v) => `${v.name}/v`),
    ]);
    // Continue from the saved state three ways: the original, a restored FusedAdam, stock Adam.
    const copies = [variables(0), variables(0)];
    copies.forEach((c) => {
      c.forEach((v, i) => {
        v.assign(vars[i]!);
      });
    });
    const restored = new FusedAdam(0.01);
    const stock = tf.train.adam(0.01);
    await restored.setWeights(saved);
    await stock.setWeights(saved.map((w) => ({ name: w.name, tensor: w.tensor.clone() })));
    saved[0]!.tensor.dispose(); // the iteration scalar; the moments stay the optimizer's
    const grads = gradients(vars, 9, 1);
    fused.applyGradients(grads);
    restored.applyGradients(grads.map((g, i) => ({ name: copies[0]![i]!.name, tensor: g.tensor })));
    stock.applyGradients(grads.map((g, i) => ({ name: copies[1]![i]!.name, tensor: g.tensor })));
    tf.dispose(grads.map((g) => g.tensor));
    vars.forEach((v, i) => {
      expect(maxRelativeDiff(copies[0]![i]!, v)).toBe(0);
      expect(maxRelativeDiff(copies[1]![i]!, v)).toBeLessThan(1e-5);
    });
    tf.dispose([...vars, ...copies.flat()]);
    for (const o of [fused, restored, stock]) o.dispose();
  });

  it('leaves no tensors behind, saving included', async () => {
    const vars = variables(3);
    const fused = new FusedAdam(0.01);
    const step = async () => {
      const grads = gradients(vars, 0, 1);
      fused.applyClippedGradients(grads, 1);
      tf.dispose(grads.map((g) => g.tensor));
      (await fused.getWeights())[0]!.tensor.dispose();
    };
    await step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await step();
    expect(tf.memory().numTensors).toBe(before);
    fused.dispose();
    tf.dispose(vars);
  });
});
