import { isLstmkitError } from '@lstmkit/preprocess';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { testKernels } from './__fixtures__/kernels';
import { initBackend } from './backend';

const quiet = () => {};

/** d(sum(w * gather(E, ids)))/dE on the active backend: exercises UnsortedSegmentSum. */
function embeddingGradient(): Float32Array {
  return tf.tidy(() => {
    const table = tf.tensor2d(
      [0.1, -0.2, 0.3, 0.4, 0.5, -0.6, 0.7, 0.8, -0.9, 1, 1.1, 1.2],
      [6, 2],
    );
    const ids = tf.tensor2d([0, 3, 3, 5, 1, 3], [2, 3], 'int32');
    const weights = tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [2, 3, 2]);
    const grad = tf.grad((e: tf.Tensor) => tf.sum(tf.mul(tf.gather(e, ids), weights)))(table);
    return grad.dataSync() as Float32Array;
  });
}

describe('initBackend', () => {
  const env = process.env.LSTMKIT_BACKEND;
  afterEach(() => {
    if (env === undefined) delete process.env.LSTMKIT_BACKEND;
    else process.env.LSTMKIT_BACKEND = env;
  });

  it('auto picks wasm here (tfjs-node is not built) and logs exactly one line', async () => {
    delete process.env.LSTMKIT_BACKEND;
    const lines: string[] = [];
    const info = await initBackend({ threads: 2, log: (line) => lines.push(line) });
    expect(info.name).toBe('wasm');
    expect(info.kernelThreads).toBe(2);
    expect(info.reason).toMatch(/^auto; tensorflow unavailable: /);
    expect(tf.getBackend()).toBe('wasm');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^lstmkit: backend wasm \(simd, 1 thread; fused LSTM kernel (native avx(2|512)|wasm[^;]*), 2 threads; auto; tensorflow unavailable/,
    );
    // Idempotent: same answer, no second line.
    await expect(initBackend({ threads: 2, log: (line) => lines.push(line) })).resolves.toEqual(
      info,
    );
    expect(lines).toHaveLength(1);
  });

  it('takes the LSTM kernel from the option, else LSTMKIT_KERNEL, and checks it', async () => {
    const saved = process.env.LSTMKIT_KERNEL;
    const native = testKernels.includes('native');
    try {
      delete process.env.LSTMKIT_KERNEL;
      expect((await initBackend({ backend: 'wasm', log: () => {} })).kernel).toBe(
        native ? 'native' : 'wasm',
      );
      process.env.LSTMKIT_KERNEL = 'wasm';
      expect((await initBackend({ backend: 'wasm', log: () => {} })).kernel).toBe('wasm');
      if (native) {
        expect(
          (await initBackend({ backend: 'wasm', kernel: 'native', log: () => {} })).kernel,
        ).toBe('native');
      } else {
        await expect(
          initBackend({ backend: 'wasm', kernel: 'native', log: () => {} }),
        ).rejects.toMatchObject({ code: 'KERNEL_UNAVAILABLE' });
      }
      process.env.LSTMKIT_KERNEL = 'gpu';
      await expect(initBackend({ backend: 'wasm', log: () => {} })).rejects.toMatchObject({
        code: 'INVALID_KERNEL',
        message: expect.stringContaining('LSTMKIT_KERNEL=gpu'),
      });
    } finally {
      if (saved === undefined) delete process.env.LSTMKIT_KERNEL;
      else process.env.LSTMKIT_KERNEL = saved;
    }
  });

  it('takes the kernel threads from the option, else LSTMKIT_THREADS, and checks them', async () => {
    const saved = process.env.LSTMKIT_THREADS;
    try {
      process.env.LSTMKIT_THREADS = '1';
      expect((await initBackend({ backend: 'wasm', log: () => {} })).kernelThreads).toBe(1);
      expect(
        (await initBackend({ backend: 'wasm', threads: 3, log: () => {} })).kernelThreads,
      ).toBe(3);
      process.env.LSTMKIT_THREADS = 'two';
      await expect(initBackend({ backend: 'wasm', log: () => {} })).rejects.toMatchObject({
        code: 'INVALID_THREADS',
        message: expect.stringContaining('LSTMKIT_THREADS=two'),
      });
    } finally {
      if (saved === undefined) delete process.env.LSTMKIT_THREADS;
      else process.env.LSTMKIT_THREADS = saved;
    }
  });

  it('LSTMKIT_BACKEND overrides auto; an explicit option overrides the variable', async () => {
    const warn = vi.spyOn(console, 'warn');
    process.env.LSTMKIT_BACKEND = 'cpu';
    expect((await initBackend({ log: quiet })).name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    tf.tidy(() => tf.add(tf.scalar(1), 1).dataSync());
    expect((await initBackend({ backend: 'wasm', log: quiet })).name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect((await initBackend({ backend: 'cpu', log: quiet })).name).toBe('cpu');
    // No tfjs banners or "kernel already registered" warnings: the library prints one line.
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });

  it('rejects unknown names and names where they came from', async () => {
    process.env.LSTMKIT_BACKEND = 'webgpu';
    const error = await initBackend({ log: quiet }).catch((e: unknown) => e);
    expect(isLstmkitError(error) && error.code).toBe('INVALID_BACKEND');
    expect((error as Error).message).toBe(
      "Unknown backend 'webgpu' (from LSTMKIT_BACKEND=webgpu).",
    );
    const viaOption = await initBackend({ backend: 'gpu' as 'cpu', log: quiet }).catch((e) => e);
    expect((viaOption as Error).message).toContain('(from the backend option)');
  });

  it('reports an unavailable backend clearly', async () => {
    const error = await initBackend({ backend: 'tensorflow', log: quiet }).catch((e: unknown) => e);
    expect(isLstmkitError(error) && error.code).toBe('BACKEND_UNAVAILABLE');
    expect((error as Error).message).toMatch(/^Backend 'tensorflow' is not available: /);
    expect((error as { hint?: string }).hint).toContain('@tensorflow/tfjs-node');
  });

  it('embedding gradients (UnsortedSegmentSum) agree on wasm and the patched cpu kernel', async () => {
    await initBackend({ backend: 'cpu', log: quiet });
    const cpu = embeddingGradient();
    await initBackend({ backend: 'wasm', log: quiet });
    const wasm = embeddingGradient();
    // Row r sums the weights of every position holding id r (id 3 sits at positions 1, 2, 5).
    expect(Array.from(cpu)).toEqual([1, 2, 9, 10, 0, 0, 19, 22, 0, 0, 7, 8]);
    expect(Array.from(wasm)).toEqual(Array.from(cpu));
  });
});
