import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { LstmkitError } from '@lstmkit/preprocess';
import * as tf from '@tensorflow/tfjs';
import { backendSelector, firstLine, type BackendInfo as Info, patchKernel } from './backend-core';
import { startKernelThreads } from './fused/kernel-threads';
import { useKernelInstances, useKernelThreads, wasmSimd } from './fused/lstm-kernel';
import { loadNativeKernel, type NativeKernel } from './fused/native-kernel';
import { wasmGatherKernel } from './gather-rows';
import { segmentSumKernels } from './unsorted-segment-sum';

/**
 * Every piece of TensorFlow.js setup in Node lives here (browsers: backend.browser.ts): backend
 * choice, kernel patches. Other modules only use `tf` after `initBackend` has run.
 */

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export type KernelName = 'wasm' | 'native';
export type BackendInfo = Info<BackendName> & {
  /** Threads the fused LSTM kernel runs on. */
  kernelThreads: number;
  /** The fused LSTM kernel: WebAssembly, or the optional native package when it loads. */
  kernel: KernelName;
};
export interface InitBackendOptions {
  /** Default: `$LSTMKIT_BACKEND`, else 'auto' (tfjs-node, else wasm, else cpu). */
  backend?: BackendName | 'auto';
  /** Receives the one line saying which backend runs. Default: a line on stderr. */
  log?: (line: string) => void;
  /**
   * Threads for the fused LSTM kernel (batch rows split across them; results do not depend on
   * the count). Default: `$LSTMKIT_THREADS`, else the available cores.
   */
  threads?: number;
  /**
   * The fused LSTM kernel. Default: `$LSTMKIT_KERNEL`, else 'auto': the native package
   * (`@lstmkit/kernel-linux-x64-gnu`, an optional dependency) when it is installed and this CPU
   * has AVX2 and FMA, else WebAssembly.
   */
  kernel?: KernelName | 'auto';
}

const ENV_VAR = 'LSTMKIT_BACKEND';
const THREADS_VAR = 'LSTMKIT_THREADS';
const KERNEL_VAR = 'LSTMKIT_KERNEL';

const selector = backendSelector<BackendName>({
  names: ['tensorflow', 'wasm', 'cpu'],
  configured() {
    const value = process.env[ENV_VAR]?.trim();
    return value ? { value, source: `${ENV_VAR}=${value}` } : undefined;
  },
  async prepare(name) {
    if (name === 'tensorflow') return loadTfjsNode();
    if (name === 'wasm') {
      await import('@tensorflow/tfjs-backend-wasm');
      patchKernel(segmentSumKernels.wasm);
      patchKernel(wasmGatherKernel());
    } else {
      patchKernel(segmentSumKernels.cpu);
    }
    return undefined;
  },
  hints: {
    tensorflow:
      'Install @tensorflow/tfjs-node (npm i @tensorflow/tfjs-node) with its native build, or use wasm.',
    wasm: 'Install @tensorflow/tfjs-backend-wasm (same version as @tensorflow/tfjs), or use cpu.',
    cpu: 'The cpu backend ships with @tensorflow/tfjs; check that it is installed once.',
  },
  defaultLog(line) {
    process.stderr.write(`${line}\n`);
  },
});

export async function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  const threads = resolveThreads(options.threads);
  const kernel = resolveKernel(options.kernel);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const which = kernel.native ? `native ${kernel.native.isa}` : `wasm ${wasmSimd()}${kernel.note}`;
  const detail = `fused LSTM kernel ${which}, ${threads} thread${threads === 1 ? '' : 's'}`;
  const info = await selector.initBackend({ backend: options.backend, log, detail });
  return {
    ...info,
    kernelThreads: await setKernelThreads(kernel.native, threads, log),
    kernel: kernel.native ? 'native' : 'wasm',
  };
}

/** Used by loaders: keeps whatever the application initialised, else initialises the default. */
export const ensureBackend: () => Promise<Info<BackendName>> = selector.ensureBackend;

function resolveThreads(option: number | undefined): number {
  const fromEnv = process.env[THREADS_VAR]?.trim();
  const [value, source] =
    option !== undefined
      ? [option, 'the threads option']
      : fromEnv
        ? [Number(fromEnv), `${THREADS_VAR}=${fromEnv}`]
        : [availableParallelism(), 'the available cores'];
  if (!Number.isInteger(value) || value < 1 || value > 256) {
    throw new LstmkitError(
      'INVALID_THREADS',
      `Kernel threads must be an integer from 1 to 256, got ${JSON.stringify(fromEnv ?? option)} (from ${source}).`,
    );
  }
  return value;
}

/** The native kernel when chosen, else why not (said in the backend line when it matters). */
function resolveKernel(option: KernelName | 'auto' | undefined): {
  native?: NativeKernel;
  note: string;
} {
  const fromEnv = process.env[KERNEL_VAR]?.trim();
  const [value, source] =
    option !== undefined && option !== 'auto'
      ? [option, 'the kernel option']
      : fromEnv
        ? [fromEnv, `${KERNEL_VAR}=${fromEnv}`]
        : ['auto', 'default'];
  if (value !== 'auto' && value !== 'wasm' && value !== 'native') {
    throw new LstmkitError('INVALID_KERNEL', `Unknown LSTM kernel '${value}' (from ${source}).`, {
      hint: 'Use one of: auto, wasm, native.',
    });
  }
  if (value === 'wasm') return { note: '' };
  const loaded = loadNativeKernel();
  if (value === 'native') {
    if ('kernel' in loaded) return { native: loaded.kernel, note: '' };
    throw new LstmkitError(
      'KERNEL_UNAVAILABLE',
      `The native LSTM kernel cannot load (from ${source}): ${loaded.why}.`,
      { hint: `Install @lstmkit/kernel-linux-x64-gnu on linux-x64, or set ${KERNEL_VAR}=wasm.` },
    );
  }
  if (!('kernel' in loaded)) return { note: ` (native: ${loaded.why})` };
  // Without AVX2 and FMA the native build is plain SSE, no faster than wasm SIMD.
  if (loaded.kernel.isa === 'generic') return { note: ' (native: this CPU lacks AVX2/FMA)' };
  return { native: loaded.kernel, note: '' };
}

/** The running kernel threads and their count (1: none, the kernel runs on the caller's). */
let runningThreads: { stop(): Promise<void> } | undefined;
let kernelThreadCount = 1;
let runningNative: NativeKernel | undefined;

async function setKernelThreads(
  native: NativeKernel | undefined,
  count: number,
  log: (line: string) => void,
): Promise<number> {
  if (count === kernelThreadCount && native === runningNative) return count;
  useKernelThreads(undefined);
  useKernelInstances(undefined);
  await runningThreads?.stop();
  runningNative?.stopThreads();
  runningThreads = undefined;
  kernelThreadCount = 1;
  runningNative = native;
  if (native) {
    const threads = native.threads(count);
    useKernelThreads(threads);
    useKernelInstances(native.instantiate);
    kernelThreadCount = threads.count;
    return kernelThreadCount;
  }
  if (count > 1) {
    try {
      const started = await startKernelThreads(count);
      useKernelThreads(started);
      runningThreads = started;
      kernelThreadCount = count;
    } catch (error) {
      log(`lstmkit: fused LSTM kernel on 1 thread (${count} unavailable: ${firstLine(error)})`);
    }
  }
  return kernelThreadCount;
}

/** Returns why tfjs-node cannot be used, or undefined once its backend is registered. */
function loadTfjsNode(): string | undefined {
  if (tf.findBackendFactory('tensorflow') !== null) return undefined;
  // tfjs-node is optional and never our dependency: look for it beside us and in the app.
  const bases = [import.meta.url, join(process.cwd(), 'noop.js')];
  let why = 'not installed';
  for (const base of bases) {
    try {
      createRequire(base)('@tensorflow/tfjs-node');
      if (tf.findBackendFactory('tensorflow') !== null) return undefined;
      why = 'loaded, but registered no tensorflow backend with this @tensorflow/tfjs';
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (String(error).includes('tfjs_binding')) why = 'its native addon is not built';
      else if (code !== 'MODULE_NOT_FOUND' || !String(error).includes('@tensorflow/tfjs-node')) {
        why = firstLine(error);
      }
    }
  }
  return why;
}
